// Bad input gets a clear message and loses nothing: binary files, invalid UTF-8, a
// 50 MB file, a FIFO, symlink loops, unreadable files, syntax errors, a path that
// is not a directory.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tests/support/support.hpp"

namespace cg {
namespace {

using namespace test;
using nlohmann::json;

constexpr int nobody = 65534;

std::string reason_for(const json& summary, const std::string& path) {
  for (const auto* list : {"skipped", "failures"})
    for (auto& s : summary[list])
      if (s["path"] == path) return s["reason"];
  return "";
}

TEST(bad_input, every_kind_of_bad_file_is_reported_and_the_rest_indexed) {
  temp_dir src("bad"), data("bad-data");
  ::chmod(data.path().c_str(), 0777);  // the run below may be as nobody
  write_file(src / "good.py", "def good():\n    return 1\n");
  write_file(src / "binary.py", std::string("def x():\n    pass\n\0\1\2\3", 22));
  write_file(src / "latin1.py", "def caf\xe9():\n    \"\"\"Na\xefve \xff\"\"\"\n    return 1\n");
  write_file(src / "broken.py", "def ok():\n    pass\n\ndef broken(:\n    pass\n");
  {
    std::FILE* f = std::fopen((src / "huge.py").c_str(), "w");  // 50 MB, sparse
    ASSERT_EQ(::ftruncate(fileno(f), 50l << 20), 0);
    std::fclose(f);
  }
  ASSERT_EQ(::mkfifo((src / "fifo.py").c_str(), 0644), 0);
  fs::create_directories(src / "dir");
  ASSERT_EQ(::symlink("..", (src / "dir/loop").c_str()), 0);
  ASSERT_EQ(::symlink("gone.py", (src / "dangling.py").c_str()), 0);
  write_file(src / "secret.py", "def hidden():\n    pass\n");
  ::chmod((src / "secret.py").c_str(), 0000);

  // As root, permissions do not stop us: run as nobody so that secret.py is unreadable.
  int uid = ::geteuid() == 0 ? nobody : -1;
  auto r = run_cli({"index", src.str(), "--data-dir", data.str(), "--project", "bad", "--json"}, {}, uid);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto j = json::parse(r.out);
  EXPECT_EQ(j["outcome"], "done");
  EXPECT_EQ(reason_for(j, "binary.py"), "binary content");
  EXPECT_EQ(reason_for(j, "huge.py"), "too large (50.0 MiB > 2.0 MiB limit)");
  EXPECT_EQ(reason_for(j, "fifo.py"), "not a regular file");
  EXPECT_EQ(reason_for(j, "dir/loop"), "symbolic link (not followed)");
  EXPECT_EQ(reason_for(j, "dangling.py"), "symbolic link (not followed)");
  EXPECT_EQ(reason_for(j, "secret.py"), "cannot open: Permission denied");
  EXPECT_EQ(j["files"]["failed"], 1);
  EXPECT_EQ(j["files"]["syntax_errors"], 2);  // broken.py, and latin1.py's stray byte
  EXPECT_EQ(j["files"]["added"], 3);          // good, latin1, broken

  // Everything that could be read is there, as valid UTF-8 JSON.
  auto ex = run_cli({"export", "--data-dir", data.str()});
  ASSERT_EQ(ex.exit_code, 0);
  std::set<std::string> names;
  std::string latin_doc;
  std::istringstream lines(ex.out);
  for (std::string line; std::getline(lines, line);) {
    auto n = json::parse(line);  // throws on invalid UTF-8
    if (n["type"] != "node") continue;
    names.insert(n["name"]);
    if (n["name"] == "caf") latin_doc = n.value("docstring", "");
  }
  EXPECT_TRUE(names.count("good"));
  EXPECT_TRUE(names.count("ok"));
  EXPECT_TRUE(names.count("caf"));                        // the identifier ends at the Latin-1 byte
  EXPECT_EQ(latin_doc, "Na\xef\xbf\xbdve \xef\xbf\xbd");  // stray bytes became U+FFFD
  EXPECT_FALSE(names.count("hidden"));

  // Once readable, the file is indexed; nothing else is lost or re-parsed.
  ::chmod((src / "secret.py").c_str(), 0644);
  auto again = run_cli({"index", src.str(), "--data-dir", data.str(), "--project", "bad", "--json"}, {}, uid);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto j2 = json::parse(again.out);
  EXPECT_EQ(j2["files"]["added"], 1);
  EXPECT_EQ(j2["files"]["unchanged"], 3);
}

TEST(bad_input, a_file_that_turns_binary_or_huge_leaves_the_index) {
  temp_dir src("turn"), data("turn-data");
  write_file(src / "a.py", "def a():\n    pass\n");
  write_file(src / "b.py", "def b():\n    pass\n");
  ASSERT_EQ(run_cli({"index", src.str(), "--data-dir", data.str()}).exit_code, 0);
  write_file(src / "a.py", std::string("\0\0\0\0binary", 10));
  write_file(src / "b.py", "def b():\n    pass\n" + std::string(4000, '#'));
  auto r = run_cli({"index", src.str(), "--data-dir", data.str(), "--max-file-size", "1k", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(r.out);
  EXPECT_EQ(j["files"]["removed"], 2);
  EXPECT_EQ(reason_for(j, "a.py"), "binary content");
  EXPECT_EQ(reason_for(j, "b.py"), "too large (0.0 MiB > 0.0 MiB limit)");
  EXPECT_EQ(j["project_totals"]["files"], 0);
}

TEST(bad_input, paths_that_are_not_directories) {
  temp_dir d("paths");
  write_file(d / "file.py", "x = 1\n");
  auto f = run_cli({"index", (d / "file.py").string(), "--data-dir", (d / "data").string()});
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_NE(f.err.find("not a directory"), std::string::npos) << f.err;
  auto m = run_cli({"index", (d / "missing").string(), "--data-dir", (d / "data").string(), "--json"});
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_NE(json::parse(m.out)["error"]["message"].get<std::string>().find("no such file"), std::string::npos);
  EXPECT_FALSE(fs::exists(d / "data"));  // nothing was created for a failed request
  auto badsize = run_cli({"index", d.str(), "--max-file-size", "lots"});
  EXPECT_EQ(badsize.exit_code, 1);
  auto badlang = run_cli({"index", d.str(), "--data-dir", (d / "data").string(), "--lang", "cobol"});
  EXPECT_EQ(badlang.exit_code, 1);
  EXPECT_NE(badlang.err.find("unknown language"), std::string::npos);
}

TEST(bad_input, a_store_in_use_is_refused_clearly) {
  temp_dir src("lock"), data("lock-data");
  write_file(src / "a.py", "def a():\n    pass\n");
  ASSERT_EQ(run_cli({"index", src.str(), "--data-dir", data.str()}).exit_code, 0);
  // Hold the store open for writing, then try to index into it.
  auto s = open_store(data.str());
  auto r = run_cli({"index", src.str(), "--data-dir", data.str()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("in use by another codegraph process"), std::string::npos) << r.err;
  // Queries open the store read-only and still work.
  EXPECT_EQ(run_cli({"stats", "--data-dir", data.str()}).exit_code, 0);
}

}  // namespace
}  // namespace cg
