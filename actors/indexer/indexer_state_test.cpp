// An index task's planning and tally, driven directly: what is parsed (new files, and
// stored ones whose size or mtime moved), what is not even read, what vanished, and
// what each parse outcome asks of the graph writer.
#include "actors/indexer/indexer_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "tests/support/support.hpp"

namespace cg {
namespace {

index_request request_for(const test::temp_dir& root) {
  index_request req;
  req.project = "p";
  req.root = root.str();
  return req;
}

TEST(IndexerState, PlansByManifestAndTalliesEachOutcome) {
  test::temp_dir root("cg-istate");
  test::write_file(root / "new.py", "def fresh():\n    return 1\n");
  test::write_file(root / "same.py", "def same():\n    return 2\n");
  test::write_file(root / "touched.py", "def touched():\n    return 3\n");
  test::write_file(root / "edited.py", "def edited():\n    return 4\n" + std::string(200, '#') + "\n");
  test::write_file(root / "big.py", "def big():\n    return 5\n" + std::string(5000, '#') + "\n");
  const index_request req = request_for(root);
  // What a first run stored: every file as it is now, then some of it changed.
  indexer_state first(req, 1);
  ASSERT_TRUE(first.walk().ok());
  first.plan({});
  EXPECT_EQ(first.jobs_left(), 5u);
  parser_state ps;
  std::vector<file_record> manifest;
  std::string largest;
  while (first.has_job()) {
    auto j = first.next_job();
    if (largest.empty()) largest = j.path;
    auto o = ps.parse_file(j);
    ASSERT_EQ(first.on_parsed(o, j.path), indexer_state::action::apply);
    if (j.path != "new.py") manifest.push_back(o.extract.record);
  }
  EXPECT_EQ(largest, "big.py");  // largest first: the cores finish together
  auto s1 = first.finish(index_phase::done);
  EXPECT_EQ(s1.added, 5u);
  EXPECT_EQ(s1.files_seen, 5u);

  // The second run: new.py unknown to the manifest, touched.py stored with another
  // mtime (same bytes), edited.py rewritten, gone.py no longer on disk.
  for (auto& r : manifest)
    if (r.path == "touched.py") r.mtime_ns -= 1'000'000'000;
  test::write_file(root / "edited.py", "def edited():\n    return 44\n");
  file_record gone;
  gone.path = "gone.py";
  gone.size = 10;
  manifest.push_back(gone);
  indexer_state second(req, 2);
  ASSERT_TRUE(second.walk().ok());
  second.plan(manifest);
  EXPECT_EQ(second.removals(), (std::vector<std::string>{"gone.py"}));
  std::vector<std::string> jobs;
  std::map<std::string, indexer_state::action> did;
  while (second.has_job()) {
    auto j = second.next_job();
    jobs.push_back(j.path);
    EXPECT_EQ(j.has_previous, j.path != "new.py") << j.path;
    auto o = ps.parse_file(j);
    did[j.path] = second.on_parsed(o, j.path);
  }
  std::sort(jobs.begin(), jobs.end());
  // same.py and big.py match their size and mtime: not even read.
  EXPECT_EQ(jobs, (std::vector<std::string>{"edited.py", "new.py", "touched.py"}));
  EXPECT_EQ(did["new.py"], indexer_state::action::apply);
  EXPECT_EQ(did["edited.py"], indexer_state::action::apply);
  EXPECT_EQ(did["touched.py"], indexer_state::action::touch);  // same bytes: only the record moves
  auto s2 = second.finish(index_phase::done);
  EXPECT_EQ(s2.added, 1u);
  EXPECT_EQ(s2.changed, 1u);
  EXPECT_EQ(s2.unchanged, 3u);  // two by size and mtime, one by content hash
  auto p = second.progress(index_phase::parsing);
  EXPECT_EQ(p.files_done, 3u);
  EXPECT_EQ(p.files_total, 3u);
  EXPECT_EQ(p.lines_done, s2.loc_parsed);  // the lines of the files parsed (touched.py's too)
  EXPECT_GT(p.lines_done, 0u);
}

TEST(IndexerState, AStoredFileNowSkippedIsForgottenAndAFailureKeepsWhatWasKnown) {
  test::temp_dir root("cg-istate2");
  test::write_file(root / "a.py", "x = 1\n");
  const index_request req = request_for(root);
  indexer_state is(req, 1);
  ASSERT_TRUE(is.walk().ok());
  file_record known;
  known.path = "a.py";
  is.plan({known});
  ASSERT_TRUE(is.has_job());
  auto j = is.next_job();
  parse_outcome skipped;
  skipped.kind = parse_result_kind::skipped;
  skipped.reason = "too large";
  EXPECT_EQ(is.on_parsed(skipped, j.path), indexer_state::action::forget);
  parse_outcome failed;
  failed.kind = parse_result_kind::failed;
  failed.reason = "unreadable";
  EXPECT_EQ(is.on_parsed(failed, "b.py"), indexer_state::action::drop);
  auto s = is.finish(index_phase::done);
  EXPECT_EQ(s.removed, 1u);
  EXPECT_EQ(s.failed, 1u);
  ASSERT_EQ(s.failures.size(), 1u);
  EXPECT_EQ(s.failures[0].reason, "unreadable");
  ASSERT_FALSE(s.skipped.empty());
  EXPECT_EQ(s.skipped.back().reason, "too large");
}

// A binary whose extractors or resolver changed (a new analysis_version) parses every
// stored file again on its first run, unchanged bytes and mtime notwithstanding, and the
// graph takes what it yields (apply, not touch); files it has parsed once are skipped again.
TEST(IndexerState, FilesFromAnotherAnalysisVersionAreParsedAgain) {
  test::temp_dir root("cg-istate3");
  test::write_file(root / "a.py", "def a():\n    return 1\n");
  test::write_file(root / "b.py", "def b():\n    return a()\n");
  const index_request req = request_for(root);
  indexer_state first(req, 1);
  ASSERT_TRUE(first.walk().ok());
  first.plan({});
  parser_state ps;
  std::vector<file_record> manifest;
  while (first.has_job()) {
    auto j = first.next_job();
    auto o = ps.parse_file(j);
    EXPECT_EQ(o.extract.record.analysis, analysis_version);
    manifest.push_back(o.extract.record);
  }
  manifest[0].analysis = 0;  // as an older binary stored it
  indexer_state second(req, 2);
  ASSERT_TRUE(second.walk().ok());
  second.plan(manifest);
  ASSERT_EQ(second.jobs_left(), 1u);
  auto j = second.next_job();
  EXPECT_EQ(j.path, manifest[0].path);
  EXPECT_FALSE(j.has_previous);  // so the content hash cannot call it unchanged
  auto o = ps.parse_file(j);
  EXPECT_EQ(second.on_parsed(o, j.path), indexer_state::action::apply);
  EXPECT_EQ(second.finish(index_phase::done).unchanged, 1u);
}

}  // namespace
}  // namespace cg
