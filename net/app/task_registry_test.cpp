// The task registry: states, progress, the streams following a task, the bound.
#include "net/app/task_registry.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <thread>

namespace cg::net {
namespace {

// A stream that keeps what it was sent (the registry writes to sessions through it).
class recording_sink final : public stream_sink {
 public:
  bool write(std::string chunk) override {
    std::lock_guard lock(mu);
    chunks.push_back(std::move(chunk));
    return true;
  }
  void close() override {
    std::function<void()> fn;
    {
      std::lock_guard lock(mu);
      closed = true;
      fn = std::move(end);
    }
    if (fn) fn();
  }
  bool open() const override { return !closed; }
  void on_end(std::function<void()> fn) override { end = std::move(fn); }
  // The client goes away: the session runs the end callback.
  void gone() { close(); }

  std::mutex mu;
  std::vector<std::string> chunks;
  bool closed = false;
  std::function<void()> end;
};

TEST(task_registry, a_task_runs_reports_progress_and_ends) {
  task_registry r;
  r.started(7, "p", "/src/p", 100);
  auto t = r.get(7);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->state, "running");
  EXPECT_EQ(t->project, "p");
  EXPECT_EQ(t->root, "/src/p");
  r.progress(7, R"({"done":1})");
  EXPECT_EQ(r.get(7)->last_progress, R"({"done":1})");
  r.ended(7, "done", R"({"ok":true})");
  EXPECT_EQ(r.get(7)->state, "done");
  EXPECT_EQ(r.get(7)->summary, R"({"ok":true})");
  EXPECT_FALSE(r.get(8));
  auto c = r.count();
  EXPECT_EQ(c.done, 1u);
  EXPECT_EQ(c.running, 0u);
}

TEST(task_registry, an_end_recorded_before_the_start_stays) {
  task_registry r;
  r.ended(3, "failed", R"({"error":"x"})");  // the engine was quicker than the caller
  r.started(3, "p", "/src/p", 5);
  auto t = r.get(3);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->state, "failed");
  EXPECT_EQ(t->project, "p");
  EXPECT_EQ(r.count().failed, 1u);
}

TEST(task_registry, the_bus_end_marks_a_running_task_and_the_final_summary_wins) {
  task_registry r;
  r.started(1, "p", "/r", 0);
  r.finished(1, "done", R"({"graph":1})");
  EXPECT_EQ(r.get(1)->state, "done");
  EXPECT_EQ(r.get(1)->summary, R"({"graph":1})");
  r.ended(1, "done", R"({"graph":1,"vectors":2})");
  EXPECT_EQ(r.get(1)->summary, R"({"graph":1,"vectors":2})");
  r.finished(1, "failed", "{}");  // a late bus event does not undo the end
  EXPECT_EQ(r.get(1)->state, "done");
}

TEST(task_registry, a_stream_gets_the_last_progress_each_progress_then_the_summary) {
  task_registry r;
  r.started(1, "p", "/r", 0);
  r.progress(1, R"({"n":1})");
  auto ndjson = std::make_shared<recording_sink>();
  auto sse = std::make_shared<recording_sink>();
  r.stream(1, ndjson, false);
  r.stream(1, sse, true);
  r.progress(1, R"({"n":2})");
  r.ended(1, "done", R"({"s":1})");
  EXPECT_EQ(ndjson->chunks, (std::vector<std::string>{"{\"n\":1}\n", "{\"n\":2}\n", "{\"s\":1}\n"}));
  ASSERT_EQ(sse->chunks.size(), 3u);
  EXPECT_EQ(sse->chunks[0], "event: progress\ndata: {\"n\":1}\n\n");
  EXPECT_EQ(sse->chunks[2], "event: done\ndata: {\"s\":1}\n\n");
  EXPECT_TRUE(ndjson->closed);
  EXPECT_TRUE(sse->closed);
}

TEST(task_registry, streams_of_finished_or_unknown_tasks_end_at_once) {
  task_registry r;
  r.started(1, "p", "/r", 0);
  r.ended(1, "cancelled", R"({"c":1})");
  auto s = std::make_shared<recording_sink>();
  r.stream(1, s, false);
  EXPECT_EQ(s->chunks, std::vector<std::string>{"{\"c\":1}\n"});
  EXPECT_TRUE(s->closed);
  auto u = std::make_shared<recording_sink>();
  r.stream(99, u, false);
  EXPECT_TRUE(u->chunks.empty());
  EXPECT_TRUE(u->closed);
}

TEST(task_registry, a_client_that_leaves_is_no_longer_written_to) {
  task_registry r;
  r.started(1, "p", "/r", 0);
  auto s = std::make_shared<recording_sink>();
  r.stream(1, s, false);
  s->gone();
  r.progress(1, R"({"n":1})");
  EXPECT_TRUE(s->chunks.empty());
}

TEST(task_registry, past_the_bound_the_oldest_finished_tasks_go_and_running_ones_stay) {
  task_registry r(3);
  r.started(1, "p", "/r", 0);  // stays running
  for (uint64_t id = 2; id <= 6; ++id) {
    r.started(id, "p", "/r", 0);
    r.ended(id, "done", "{}");
  }
  r.started(7, "p", "/r", 0);
  auto all = r.all();
  ASSERT_LE(all.size(), 3u);
  EXPECT_TRUE(r.get(1)) << "a running task was forgotten";
  EXPECT_TRUE(r.get(7));
  EXPECT_FALSE(r.get(2));
}

TEST(task_registry, concurrent_progress_and_streams_are_safe) {
  task_registry r;
  r.started(1, "p", "/r", 0);
  std::vector<std::shared_ptr<recording_sink>> sinks;
  for (int i = 0; i < 8; ++i) sinks.push_back(std::make_shared<recording_sink>());
  std::thread writer([&] {
    for (int i = 0; i < 500; ++i) r.progress(1, "{\"i\":" + std::to_string(i) + "}");
  });
  for (auto& s : sinks) r.stream(1, s, false);
  writer.join();
  r.ended(1, "done", "{}");
  for (auto& s : sinks) {
    EXPECT_TRUE(s->closed);
    ASSERT_FALSE(s->chunks.empty());
    EXPECT_EQ(s->chunks.back(), "{}\n");
  }
}

}  // namespace
}  // namespace cg::net
