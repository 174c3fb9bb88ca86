// A crash between write batches (SIGKILL of a child indexing the CPython standard
// library) leaves a consistent store, and the next run finishes to exactly the graph
// a clean index gives.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "actors/graph/graph_state.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

using namespace test;

const char* const corpus = "/usr/lib/python3.11";

std::vector<std::string> clean_graph() {
  static std::vector<std::string> lines = [] {
    temp_dir d("clean");
    auto r = run_cli({"index", corpus, "--data-dir", d.str(), "--project", "stdlib", "-q"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto s = open_store(d.str(), true);
    return graph_lines(*s, *s->project_id("stdlib"));
  }();
  return lines;
}

// Spawns an index run and SIGKILLs it after `ms` milliseconds; returns its status.
int index_and_kill_after(const std::string& data, int ms) {
  return run_cli_and_kill_after({"index", corpus, "--data-dir", data, "--project", "stdlib", "-q"}, ms);
}

void expect_consistent_then_complete(const std::string& data) {
  {
    store_options o;
    o.dir = data;
    o.read_only = true;
    auto s = store::open(o);
    // Killed before the store existed in full: a reader is told so (not_found), and
    // the next run below must still finish the job.
    if (!s.ok()) {
      EXPECT_EQ(s.err().code, errc::not_found) << s.err().message;
    } else if (auto proj = (*s)->project_id("stdlib"); proj.ok()) {
      EXPECT_EQ(check_consistency(**s, *proj), std::vector<std::string>{});
    }
  }
  auto r = run_cli({"index", corpus, "--data-dir", data, "--project", "stdlib", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto s = open_store(data, true);
  auto proj = *s->project_id("stdlib");
  EXPECT_EQ(check_consistency(*s, proj), std::vector<std::string>{});
  EXPECT_EQ(*graph_state(*s, proj).pending_count(), 0u);
  auto lines = graph_lines(*s, proj);
  auto clean = clean_graph();
  EXPECT_EQ(lines.size(), clean.size());
  EXPECT_TRUE(lines == clean) << "the finished graph differs from a clean index";
}

TEST(crash, killed_after_a_parse_batch) {
  temp_dir data("crash1");
  auto r = run_cli({"index", corpus, "--data-dir", data.str(), "--project", "stdlib", "-q"},
                   {"CODEGRAPH_TEST_KILL_AFTER_WRITES=3"});
  ASSERT_EQ(r.exit_code, 128 + SIGKILL) << "the fault hook did not fire: " << r.err;
  {
    auto s = open_store(data.str(), true);
    auto proj = *s->project_id("stdlib");
    EXPECT_GT(*graph_state(*s, proj).pending_count(), 0u);  // parsed, not yet resolved
  }
  expect_consistent_then_complete(data.str());
}

TEST(crash, killed_while_resolving) {
  temp_dir data("crash2");
  // 665 files in batches of 64 make 11 parse writes; the 13th write is a resolution batch.
  auto r = run_cli({"index", corpus, "--data-dir", data.str(), "--project", "stdlib", "-q"},
                   {"CODEGRAPH_TEST_KILL_AFTER_WRITES=13"});
  ASSERT_EQ(r.exit_code, 128 + SIGKILL);
  expect_consistent_then_complete(data.str());
}

TEST(crash, killed_from_outside_at_random_moments) {
  for (int ms : {300, 900}) {
    temp_dir data("crash3");
    int status = index_and_kill_after(data.str(), ms);
    // A fast machine may finish first: then there is nothing to recover, but the
    // store must still be whole.
    if (WIFSIGNALED(status)) EXPECT_EQ(WTERMSIG(status), SIGKILL);
    expect_consistent_then_complete(data.str());
  }
}

}  // namespace
}  // namespace cg
