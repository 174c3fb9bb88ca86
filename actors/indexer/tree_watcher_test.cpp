// Watch mode's inotify watcher: when a batch of saved files is handed over.
#include "actors/indexer/tree_watcher.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <optional>

#include "tests/support/support.hpp"

namespace cg {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

struct batches {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::vector<std::string>> got;
  void add(std::vector<std::string> b) {
    std::lock_guard lock(mu);
    got.push_back(std::move(b));
    cv.notify_all();
  }
  // The next batch within `limit`, or nothing.
  std::optional<std::vector<std::string>> next(std::chrono::milliseconds limit) {
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, limit, [&] { return !got.empty(); })) return std::nullopt;
    auto b = std::move(got.front());
    got.erase(got.begin());
    return b;
  }
};

struct watched {
  test::temp_dir dir{"watch"};
  batches b;
  std::unique_ptr<tree_watcher> w;
  explicit watched(std::chrono::microseconds quiet) {
    watch_options o;
    o.quiet = quiet;
    o.max_delay = 10 * quiet;
    auto r = tree_watcher::start(dir.str(), o, [this](std::vector<std::string> c) { b.add(std::move(c)); });
    EXPECT_TRUE(r.ok());
    if (r.ok()) w = std::move(*r);
  }
};

TEST(tree_watcher, a_file_written_in_place_goes_when_closed_without_waiting_for_quiet) {
  watched t(400ms);
  auto t0 = clock_type::now();
  test::write_file(t.dir / "a.py", "x = 1\n");
  auto b = t.b.next(2000ms);
  ASSERT_TRUE(b);
  EXPECT_LT(clock_type::now() - t0, 300ms);  // well inside the 400 ms quiet window
  EXPECT_EQ(*b, std::vector<std::string>{"a.py"});
}

TEST(tree_watcher, a_file_still_open_for_writing_waits_for_the_quiet_window) {
  watched t(400ms);
  auto t0 = clock_type::now();
  int fd = ::open((t.dir / "b.py").c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "y = 2\n", 6), 6);
  auto b = t.b.next(5000ms);
  ::close(fd);
  ASSERT_TRUE(b);
  EXPECT_GE(clock_type::now() - t0, 390ms);
  EXPECT_EQ(*b, std::vector<std::string>{"b.py"});
}

TEST(tree_watcher, a_save_by_rename_names_both_files_and_a_new_directory_its_files) {
  watched t(100ms);
  test::write_file(t.dir / "c.py", "z = 3\n");
  ASSERT_TRUE(t.b.next(2000ms));
  test::write_file(t.dir / "c.py.tmp", "z = 4\n");
  std::filesystem::rename(t.dir / "c.py.tmp", t.dir / "c.py");
  std::set<std::string> seen;
  while (auto b = t.b.next(500ms)) seen.insert(b->begin(), b->end());
  EXPECT_TRUE(seen.count("c.py"));
  // The temporary file is no file to index: it is in no batch (an editor's swap and
  // backup files neither), and a batch of only such files is never handed over.
  EXPECT_FALSE(seen.count("c.py.tmp"));
  test::write_file(t.dir / ".c.py.swp", "swap");
  test::write_file(t.dir / "c.py~", "z = 3\n");
  EXPECT_FALSE(t.b.next(500ms)) << "a batch for editor files";
  std::filesystem::create_directories(t.dir / "pkg/sub");
  test::write_file(t.dir / "pkg/sub/d.py", "w = 5\n");
  seen.clear();
  while (auto b = t.b.next(500ms)) seen.insert(b->begin(), b->end());
  EXPECT_TRUE(seen.count("pkg/sub/d.py"));
  std::filesystem::remove(t.dir / "c.py");
  auto b = t.b.next(2000ms);
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, std::vector<std::string>{"c.py"});
}

}  // namespace
}  // namespace cg
