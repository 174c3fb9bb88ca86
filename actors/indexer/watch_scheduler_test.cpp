// Watch mode's scheduling with a real inotify watcher: a save starts a run at once;
// saves during a run wait and start one run of their union when it ends; unwatch and
// stop end it.
#include "actors/indexer/watch_scheduler.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "tests/support/support.hpp"

namespace cg {
namespace {

using namespace std::chrono_literals;

struct started_runs {
  struct run {
    std::string project, root;
    std::vector<std::string> only;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::vector<run> got;
  void add(run r) {
    std::lock_guard lock(mu);
    got.push_back(std::move(r));
    cv.notify_all();
  }
  std::optional<run> next(std::chrono::milliseconds limit) {
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, limit, [&] { return !got.empty(); })) return std::nullopt;
    auto r = std::move(got.front());
    got.erase(got.begin());
    return r;
  }
};

struct scheduled {
  test::temp_dir dir{"watch-sched"};
  started_runs runs;
  std::unique_ptr<watch_scheduler> s;
  scheduled() {
    watch_options o;
    o.quiet = 2000us;
    o.max_delay = 20000us;
    s = std::make_unique<watch_scheduler>(
        o, [this](const std::string& project, const std::string& root, std::vector<std::string> only) {
          runs.add({project, root, std::move(only)});
        });
  }
};

TEST(watch_scheduler, a_save_while_idle_starts_a_run_of_that_file) {
  scheduled t;
  ASSERT_TRUE(t.s->run_started("p", t.dir.str(), walk_options{}));
  EXPECT_EQ(t.s->watched(), 1u);
  t.s->run_ended("p");  // nothing was saved meanwhile: no run
  EXPECT_FALSE(t.runs.next(100ms));
  test::write_file(t.dir / "a.py", "x = 1\n");
  auto r = t.runs.next(3000ms);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->project, "p");
  EXPECT_EQ(r->root, t.dir.str());
  EXPECT_EQ(r->only, std::vector<std::string>{"a.py"});
}

TEST(watch_scheduler, saves_during_a_run_start_one_run_of_their_union_when_it_ends) {
  scheduled t;
  ASSERT_TRUE(t.s->run_started("p", t.dir.str(), walk_options{}));
  test::write_file(t.dir / "a.py", "a = 1\n");
  std::this_thread::sleep_for(100ms);
  test::write_file(t.dir / "b.py", "b = 1\n");
  std::this_thread::sleep_for(100ms);
  test::write_file(t.dir / "a.py", "a = 2\n");
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(t.runs.next(50ms)) << "a run started while another was going on";
  t.s->run_ended("p");
  auto r = t.runs.next(3000ms);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->only, (std::vector<std::string>{"a.py", "b.py"}));
  EXPECT_FALSE(t.runs.next(100ms)) << "one run for the whole queue";
}

TEST(watch_scheduler, the_walk_settings_of_the_run_decide_what_is_watched) {
  scheduled t;
  std::filesystem::create_directories(t.dir / "generated");
  walk_options w;
  w.skip_dirs.push_back("generated");
  ASSERT_TRUE(t.s->run_started("p", t.dir.str(), w));
  t.s->run_ended("p");
  test::write_file(t.dir / "generated" / "gen.py", "g = 1\n");
  EXPECT_FALSE(t.runs.next(300ms)) << "a save in an excluded directory started a run";
  test::write_file(t.dir / "src.py", "s = 1\n");
  auto r = t.runs.next(3000ms);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->only, std::vector<std::string>{"src.py"});
}

TEST(watch_scheduler, unwatch_and_stop_end_the_runs) {
  scheduled t;
  test::temp_dir other{"watch-sched-2"};
  ASSERT_TRUE(t.s->run_started("p", t.dir.str(), walk_options{}));
  ASSERT_TRUE(t.s->run_started("q", other.str(), walk_options{}));
  t.s->run_ended("p");
  t.s->run_ended("q");
  EXPECT_EQ(t.s->watched(), 2u);
  t.s->unwatch("p");
  EXPECT_EQ(t.s->watched(), 1u);
  test::write_file(t.dir / "a.py", "a = 1\n");
  EXPECT_FALSE(t.runs.next(300ms)) << "an unwatched project started a run";
  t.s->stop();
  EXPECT_EQ(t.s->watched(), 0u);
  test::write_file(other / "b.py", "b = 1\n");
  EXPECT_FALSE(t.runs.next(300ms)) << "a run started after stop()";
  EXPECT_FALSE(t.s->run_started("q", other.str(), walk_options{}));
}

TEST(watch_scheduler, a_root_that_cannot_be_watched_is_reported) {
  scheduled t;
  EXPECT_FALSE(t.s->run_started("p", (t.dir / "missing").string(), walk_options{}));
  EXPECT_EQ(t.s->watched(), 0u);
}

}  // namespace
}  // namespace cg
