// Incremental parses of large files: after every edit of a sequence (appends, inserts,
// deletions, a syntax error and its fix, multi-byte text), the extraction from the
// kept tree equals a fresh parser's extraction of the same text.
#include "actors/parser/tree_cache.hpp"

#include <gtest/gtest.h>

#include "actors/parser/parser_state.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

std::string big_module(int classes) {
  std::string s = "import os\nfrom typing import List\n\n\n";
  for (int c = 0; c < classes; ++c) {
    auto n = std::to_string(c);
    s += "class Model" + n + "(Base):\n    \"\"\"Model number " + n + ".\"\"\"\n\n";
    s += "    def __init__(self, items: List[int]):\n        self.items = items\n        self.total = 0\n\n";
    s += "    @property\n    def size(self):\n        return len(self.items)\n\n";
    s += "    def add(self, x):\n        self.items.append(x)\n        return helper" + n + "(x) + self.size\n\n\n";
    s += "def helper" + n + "(x):\n    return os.path.join(str(x), 'h" + n + "')\n\n\n";
  }
  return s;
}

void expect_same(const parse_outcome& a, const parse_outcome& b, const std::string& step) {
  ASSERT_EQ(a.kind, b.kind) << step;
  EXPECT_EQ(a.extract.record.status, b.extract.record.status) << step;
  EXPECT_EQ(a.extract.record.error_count, b.extract.record.error_count) << step;
  ASSERT_EQ(a.extract.nodes.size(), b.extract.nodes.size()) << step;
  for (size_t i = 0; i < a.extract.nodes.size(); ++i)
    EXPECT_EQ(a.extract.nodes[i], b.extract.nodes[i]) << step << ": node " << a.extract.nodes[i].qualified_name;
  EXPECT_EQ(a.extract.contains, b.extract.contains) << step;
  EXPECT_TRUE(a.extract.refs == b.extract.refs) << step;
}

TEST(tree_cache, the_edit_between_two_texts_is_their_changed_range) {
  auto e = edit_between("ab\ncd\nef", "ab\ncXYd\nef");
  EXPECT_EQ(e.start_byte, 4u);
  EXPECT_EQ(e.old_end_byte, 4u);
  EXPECT_EQ(e.new_end_byte, 6u);
  EXPECT_EQ(e.start_point.row, 1u);
  EXPECT_EQ(e.start_point.column, 1u);
  EXPECT_EQ(e.new_end_point.row, 1u);
  EXPECT_EQ(e.new_end_point.column, 3u);
  // A line removed: the shortest range that differs ("wo\nt" of "two\nthree").
  e = edit_between("one\ntwo\nthree\n", "one\nthree\n");
  EXPECT_EQ(e.start_byte, 5u);
  EXPECT_EQ(e.old_end_byte, 9u);
  EXPECT_EQ(e.new_end_byte, 5u);
  EXPECT_EQ(e.start_point.row, 1u);
  EXPECT_EQ(e.start_point.column, 1u);
  EXPECT_EQ(e.old_end_point.row, 2u);
  EXPECT_EQ(e.old_end_point.column, 1u);
  EXPECT_EQ(e.new_end_point.row, 1u);
  EXPECT_EQ(e.new_end_point.column, 1u);
  e = edit_between("same", "same");
  EXPECT_EQ(e.start_byte, e.old_end_byte);
  EXPECT_EQ(e.start_byte, e.new_end_byte);
  e = edit_between("aaaa", "aa");  // prefix and suffix may not overlap
  EXPECT_EQ(e.start_byte, 2u);
  EXPECT_EQ(e.old_end_byte, 4u);
  EXPECT_EQ(e.new_end_byte, 2u);
}

TEST(tree_cache, incremental_parses_extract_what_fresh_parses_do) {
  parser_state kept;  // parses every version in turn, from its kept tree
  std::string text = big_module(120);
  ASSERT_GT(text.size(), tree_cache::min_bytes);
  std::vector<std::pair<std::string, std::string>> steps;
  auto at = [&](const std::string& needle) { return text.find(needle); };
  steps.emplace_back("first parse", text);
  text += "\n\ndef appended():\n    return helper3(1)\n";
  steps.emplace_back("a function appended", text);
  text.insert(at("        self.total = 0\n") + 23, "        self.extra = helper7(2)\n");
  steps.emplace_back("a statement inserted in the first class", text);
  text.erase(at("class Model50("), at("class Model52(") - at("class Model50("));
  steps.emplace_back("two classes deleted in the middle", text);
  text.insert(at("def helper60("), "def broken(:\n    pass\n\n");
  steps.emplace_back("a syntax error", text);
  text.erase(at("def broken(:\n"), 23);
  steps.emplace_back("the error fixed", text);
  text = "# Ünïcode header: ☃\n" + text;
  steps.emplace_back("multi-byte text at the start", text);
  text.replace(at("return len(self.items)"), 22, "return len(self.items) * 2  # größer");
  steps.emplace_back("a line changed", text);
  steps.emplace_back("the same text again", text);
  for (const auto& [step, source] : steps) {
    auto a = kept.parse_source("p", "pkg/big.py", source);
    parser_state fresh;
    auto b = fresh.parse_source("p", "pkg/big.py", source);
    expect_same(a, b, step);
  }
  EXPECT_EQ(kept.incremental_parses(), steps.size() - 1);
  // Another file of the same parser is not confused with it.
  auto small = kept.parse_source("p", "pkg/other.py", "def f():\n    return 1\n");
  ASSERT_EQ(small.extract.nodes.size(), 2u);
}

// A file warmed ahead (a live review's change set) is parsed from its kept tree on its
// first save, and extracts what a fresh parse does; small files are not kept.
TEST(tree_cache, a_warmed_file_is_parsed_incrementally_on_its_first_save) {
  test::temp_dir root("warm");
  const std::string text = big_module(120);
  test::write_file(root.path() / "pkg" / "big.py", text);
  test::write_file(root.path() / "small.py", "def f():\n    return 1\n");
  parser_state ps;
  parse_job job;
  job.project = "p";
  job.root = root.str();
  job.path = "pkg/big.py";
  job.warm = true;
  auto w = ps.parse_file(job);
  EXPECT_EQ(w.kind, parse_result_kind::skipped);
  EXPECT_EQ(w.reason, "warmed");
  EXPECT_TRUE(w.extract.nodes.empty());
  EXPECT_EQ(ps.warmed(), 1u);
  (void)ps.parse_file(job);  // warmed already: nothing parsed again
  EXPECT_EQ(ps.warmed(), 1u);
  parse_job small = job;
  small.path = "small.py";
  (void)ps.parse_file(small);
  EXPECT_EQ(ps.warmed(), 1u);

  const std::string saved = text + "\n\ndef appended():\n    return helper3(1)\n";
  test::write_file(root.path() / "pkg" / "big.py", saved);
  job.warm = false;
  auto a = ps.parse_file(job);
  EXPECT_EQ(ps.incremental_parses(), 1u);
  parser_state fresh;
  expect_same(a, fresh.parse_source("p", "pkg/big.py", saved), "the first save after warming");
}

// The cache holds at most max_entries trees, dropping the least recently used.
TEST(tree_cache, the_least_recently_used_tree_goes_first) {
  parser_state ps;
  const std::string text = big_module(100);
  ASSERT_GT(text.size(), tree_cache::min_bytes);
  for (size_t i = 0; i <= tree_cache::max_entries; ++i)
    (void)ps.parse_source("p", "m" + std::to_string(i) + ".py", text);
  EXPECT_EQ(ps.incremental_parses(), 0u);
  (void)ps.parse_source("p", "m" + std::to_string(tree_cache::max_entries) + ".py", text + "x = 1\n");
  EXPECT_EQ(ps.incremental_parses(), 1u);  // the newest is kept
  (void)ps.parse_source("p", "m0.py", text + "x = 1\n");
  EXPECT_EQ(ps.incremental_parses(), 1u);  // the oldest went
  (void)ps.parse_source("p", "m1.py", text + "x = 1\n");
  EXPECT_EQ(ps.incremental_parses(), 1u);  // and the next oldest, to make room for m0
  (void)ps.parse_source("p", "m5.py", text + "x = 1\n");
  EXPECT_EQ(ps.incremental_parses(), 2u);
}

}  // namespace
}  // namespace cg
