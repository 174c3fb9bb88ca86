// Python's own ast module is the oracle: every function, method and class it finds
// in the standard library on this machine is found by our index with the same name
// and line, and nothing extra.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tests/support/support.hpp"

namespace cg {
namespace {

using namespace test;
using nlohmann::json;
using def = std::tuple<std::string, std::string, int>;  // file, name, line

TEST(oracle, python_stdlib_matches_ast_exactly) {
  const std::string root = "/usr/lib/python3.11";
  temp_dir data("ast-oracle");
  auto idx = run_cli({"index", root, "--data-dir", data.str(), "--project", "stdlib", "--json"});
  ASSERT_EQ(idx.exit_code, 0) << idx.err;
  auto summary = json::parse(idx.out);
  std::set<std::string> skipped;
  for (auto& s : summary["skipped"]) skipped.insert(s["path"]);

  auto ex = run_cli({"export", "--data-dir", data.str()});
  ASSERT_EQ(ex.exit_code, 0);
  std::set<def> ours;
  std::istringstream lines(ex.out);
  for (std::string line; std::getline(lines, line);) {
    auto n = json::parse(line);
    if (n["type"] != "node") continue;
    std::string kind = n["kind"], file = n["file"];
    if (!file.ends_with(".py")) continue;
    if (kind == "function" || kind == "method" || kind == "constructor" || kind == "class")
      ours.emplace(file, n["name"], n["line"]);
  }

  temp_dir tmp("ast");
  auto out = tmp / "ast.tsv", err = tmp / "ast.err";
  std::string cmd = "/usr/bin/python3 " + source_dir() + "/tests/oracle/python_ast_defs.py " + root + " > " +
                    out.string() + " 2> " + err.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << read_file(err);
  std::set<def> oracle;
  size_t in_skipped_files = 0;
  std::istringstream tsv(read_file(out));
  for (std::string line; std::getline(tsv, line);) {
    auto t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    def d{line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1), std::stoi(line.substr(t2 + 1))};
    // A file our walker skips on purpose (a symbolic link) must say why.
    if (skipped.count(std::get<0>(d))) {
      ++in_skipped_files;
      continue;
    }
    oracle.insert(d);
  }
  std::vector<def> missing, extra;
  std::set_difference(oracle.begin(), oracle.end(), ours.begin(), ours.end(), std::back_inserter(missing));
  std::set_difference(ours.begin(), ours.end(), oracle.begin(), oracle.end(), std::back_inserter(extra));
  std::printf(
      "python ast oracle: %zu of %zu definitions found at the same line, %zu missing, %zu extra "
      "(%zu in files skipped with a reason)\n",
      oracle.size() - missing.size(), oracle.size(), missing.size(), extra.size(), in_skipped_files);
  RecordProperty("agreement", std::to_string(oracle.size() - missing.size()) + "/" + std::to_string(oracle.size()));
  EXPECT_GT(oracle.size(), 15000u);
  for (size_t i = 0; i < missing.size() && i < 10; ++i)
    ADD_FAILURE() << "missing " << std::get<0>(missing[i]) << ":" << std::get<2>(missing[i]) << " "
                  << std::get<1>(missing[i]);
  for (size_t i = 0; i < extra.size() && i < 10; ++i)
    ADD_FAILURE() << "extra " << std::get<0>(extra[i]) << ":" << std::get<2>(extra[i]) << " " << std::get<1>(extra[i]);
  EXPECT_TRUE(missing.empty());
  EXPECT_TRUE(extra.empty());
}

}  // namespace
}  // namespace cg
