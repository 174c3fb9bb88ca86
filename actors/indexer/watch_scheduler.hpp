#pragma once
// Watch mode's scheduling: one tree_watcher per project root, and at most one index
// run per project at a time. Saves that arrive while a run of the project goes on are
// gathered and start a single run (of their union) when it ends; a lost-events signal
// ("look at everything") turns the next run into a whole-tree one. Plain C++: the
// server owns one and starts the runs it asks for.
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "actors/indexer/tree_watcher.hpp"
#include "schema/serial_runner.hpp"

namespace cg {

class watch_scheduler {
 public:
  // Starts an index run of `project` over `root`: only these files (empty: the whole
  // tree). Called on a watcher's thread or the scheduler's own, never under its lock.
  using start_fn =
      std::function<void(const std::string& project, const std::string& root, std::vector<std::string> only)>;

  // base: the quiet window, flush and delay settings every watcher gets (its walk
  // settings come with each run).
  watch_scheduler(watch_options base, start_fn start);
  ~watch_scheduler();  // stops every watcher, then lets a posted run finish
  watch_scheduler(const watch_scheduler&) = delete;
  watch_scheduler& operator=(const watch_scheduler&) = delete;

  // A run of `project` over `root` has started (from anywhere): saves wait for it to
  // end. The root is watched from now on (again, when it moved); false with the reason
  // logged when the watcher cannot start.
  bool run_started(const std::string& project, const std::string& root, const walk_options& walk);
  // The run's graph is written: the saves gathered meanwhile start the next run, on
  // the scheduler's thread.
  void run_ended(const std::string& project);
  void unwatch(const std::string& project);
  size_t watched() const;
  // Saved files gathered for the project's next run ("*": the whole tree), sorted.
  std::vector<std::string> pending(const std::string& project) const;
  bool watching(const std::string& project) const;
  // Shutdown: no further runs start.
  void stop();

 private:
  struct project_state {
    std::string root;
    std::unique_ptr<tree_watcher> watcher;
    std::set<std::string> queued;
    bool queued_all = false;
    bool running = false;
  };
  void on_change(const std::string& project, std::vector<std::string> changed);

  watch_options base_;
  start_fn start_;
  mutable std::mutex mu_;
  std::map<std::string, project_state> projects_;
  bool stopped_ = false;
  serial_runner runner_;  // the runs that start when another ends (last: joined first)
};

}  // namespace cg
