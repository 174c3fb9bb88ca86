// Per-language fixtures: real-looking multi-file code, indexed and resolved, must
// give exactly the nodes and edges in tests/golden/<language>.txt.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "tests/support/support.hpp"

namespace cg::test {
namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string s;
  for (auto& l : lines) s += l + "\n";
  return s;
}

class fixture_test : public ::testing::TestWithParam<std::string> {};

TEST_P(fixture_test, graph_matches_golden) {
  const std::string lang = GetParam();
  temp_dir data("fixture-" + lang);
  auto s = open_store(data.str());
  auto r = index_plain(*s, lang, source_dir() + "/tests/fixtures/" + lang);
  ASSERT_GT(r.parsed, 0u);
  auto proj = s->project_id(lang);
  ASSERT_TRUE(proj.ok());
  EXPECT_EQ(check_consistency(*s, *proj), std::vector<std::string>{});
  auto actual = join_lines(graph_lines(*s, *proj));
  auto path = golden_path(lang + ".txt");
  if (std::getenv("CODEGRAPH_UPDATE_GOLDEN")) {
    std::ofstream(path) << actual;
    GTEST_SKIP() << "golden file written: " << path;
  }
  auto expected = read_file(path);
  ASSERT_FALSE(expected.empty()) << "missing golden file " << path;
  EXPECT_EQ(actual, expected) << "graph of tests/fixtures/" << lang << " differs from " << path;
}

INSTANTIATE_TEST_SUITE_P(languages, fixture_test,
                         ::testing::Values("python", "rust", "go", "java", "c", "cpp", "typescript", "javascript"));

}  // namespace
}  // namespace cg::test
