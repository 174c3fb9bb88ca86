// universal-ctags is the oracle for the other languages: of the functions, methods,
// classes, structs, interfaces, traits and enums it finds in a slice of each
// benchmark corpus, the share our index finds with the same name at the same line.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/support.hpp"

namespace cg {
namespace {

using namespace test;
using nlohmann::json;

struct slice {
  std::string name;      // test name
  std::string root;      // directory to index
  std::string lang;      // --lang filter
  double min_agreement;  // the measured agreement, less a margin for regressions
  std::string unzip;     // a zip to extract into root first ("" for none)
  std::string members;   // what to extract
};

std::ostream& operator<<(std::ostream& os, const slice& s) { return os << s.name; }

class ctags_oracle : public ::testing::TestWithParam<slice> {};

// "operator ()" (ctags) and "operator()" (source) are one name.
std::string normalize(std::string n) {
  static const std::regex op("^operator\\s+");
  n = std::regex_replace(n, op, "operator");
  n.erase(std::remove(n.begin(), n.end(), ' '), n.end());
  return n;
}

TEST_P(ctags_oracle, definitions_agree) {
  auto s = GetParam();
  temp_dir work("ctags-" + s.name);
  std::string root = s.root;
  if (!s.unzip.empty()) {
    root = (work / "src").string();
    std::string cmd = "unzip -q -o " + s.unzip + " '" + s.members + "' -d " + root;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  auto data = work / "data";
  auto idx = run_cli({"index", root, "--data-dir", data.string(), "--project", s.name, "--lang", s.lang, "-q"});
  ASSERT_EQ(idx.exit_code, 0) << idx.err;
  auto ex = run_cli({"export", "--data-dir", data.string()});
  ASSERT_EQ(ex.exit_code, 0);
  std::set<std::tuple<std::string, std::string, int>> ours;
  std::vector<std::string> files;
  std::istringstream lines(ex.out);
  for (std::string line; std::getline(lines, line);) {
    auto n = json::parse(line);
    if (n["type"] != "node") continue;
    if (n["kind"] == "file")
      files.push_back(n["file"]);
    else if (n["kind"] != "import")
      ours.emplace(n["file"], normalize(n["name"]), n["line"]);
  }
  ASSERT_FALSE(files.empty());
  auto list = work / "files.txt";
  {
    std::string text;
    for (auto& f : files) text += f + "\n";
    write_file(list, text);
  }
  auto tags = work / "tags.tsv";
  std::string cmd = "cd " + root + " && xargs -a " + list.string() + " -d '\\n' /usr/bin/python3 " + source_dir() +
                    "/tests/oracle/ctags_defs.py . > " + tags.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  size_t total = 0, found = 0;
  std::vector<std::string> misses;
  std::istringstream tsv(read_file(tags));
  for (std::string line; std::getline(tsv, line);) {
    std::vector<std::string> f;
    std::istringstream ls(line);
    for (std::string part; std::getline(ls, part, '\t');) f.push_back(part);
    if (f.size() < 4) continue;
    ++total;
    if (ours.count({f[0], normalize(f[1]), std::stoi(f[2])}))
      ++found;
    else if (misses.size() < 5)
      misses.push_back(f[0] + ":" + f[2] + " " + f[3] + " " + f[1]);
  }
  double agreement = total ? static_cast<double>(found) / static_cast<double>(total) : 0;
  std::printf("ctags agreement %-10s %zu files: %zu of %zu = %.2f%%\n", s.name.c_str(), files.size(), found, total,
              100 * agreement);
  RecordProperty("agreement", std::to_string(agreement));
  EXPECT_GT(total, 100u);
  EXPECT_GE(agreement, s.min_agreement) << "first misses:\n  " << (misses.empty() ? "" : misses[0]) << "\n  "
                                        << (misses.size() > 1 ? misses[1] : "") << "\n  "
                                        << (misses.size() > 2 ? misses[2] : "");
}

INSTANTIATE_TEST_SUITE_P(
    corpora, ctags_oracle,
    ::testing::Values(slice{"go", "/usr/share/go-1.19/src/net/http", "go", 0.99, "", ""},
                      slice{"rust", "/usr/src/rustc-1.63.0/library/alloc/src", "rust", 0.99, "", ""},
                      slice{"java", "", "java", 0.99, "/usr/lib/jvm/openjdk-17/lib/src.zip", "java.base/java/util/*"},
                      slice{"cpp", "/usr/include/boost/json", "cpp", 0.97, "", ""},
                      slice{"cpp_asio", "/usr/include/boost/asio", "cpp", 0.96, "", ""},
                      slice{"c", "/usr/share/gnulib/lib", "c", 0.97, "", ""},
                      slice{"typescript", CODEGRAPH_SOURCE_DIR "/node_modules/rxjs/src", "typescript", 0.99, "", ""},
                      slice{"javascript", CODEGRAPH_SOURCE_DIR "/node_modules/rxjs/dist/esm", "javascript", 0.95, "",
                            ""}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace cg
