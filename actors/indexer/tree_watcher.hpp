#pragma once
// Watches a source tree with inotify (watch mode): every directory the walk would
// enter, new ones as they appear. Saves are gathered and handed over as one batch of
// relative paths as soon as every file in it is settled (closed after writing, moved
// into place or away, deleted; settled_flush), else once the tree has been quiet for
// `quiet` (or `max_delay` after the first event). Plain C++ with a thread of its own.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/indexer/walker.hpp"
#include "schema/result.hpp"

namespace cg {

struct watch_options {
  walk_options walk;  // which directories to leave out
  std::chrono::microseconds quiet{2000};
  std::chrono::microseconds max_delay{50000};
  bool settled_flush = true;  // false: always wait for the quiet window
  size_t max_watches = 100000;
};

class tree_watcher {
 public:
  // changed: relative paths that were written, created, moved or deleted; an empty
  // list means "events were lost (queue overflow): look at everything".
  using on_change = std::function<void(std::vector<std::string> changed)>;
  static result<std::unique_ptr<tree_watcher>> start(std::string root, watch_options opts, on_change fn);
  ~tree_watcher();
  tree_watcher(const tree_watcher&) = delete;
  tree_watcher& operator=(const tree_watcher&) = delete;
  size_t watches() const;

  struct impl;

 private:
  explicit tree_watcher(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace cg
