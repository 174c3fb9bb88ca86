#include "actors/indexer/watch_scheduler.hpp"

#include <spdlog/spdlog.h>

namespace cg {

watch_scheduler::watch_scheduler(watch_options base, start_fn start)
    : base_(std::move(base)), start_(std::move(start)) {}

watch_scheduler::~watch_scheduler() { stop(); }

void watch_scheduler::stop() {
  // Watchers go outside the lock: their threads may be waiting for it in on_change.
  std::map<std::string, project_state> gone;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    gone.swap(projects_);
  }
  gone.clear();
}

bool watch_scheduler::run_started(const std::string& project, const std::string& root, const walk_options& walk) {
  std::unique_ptr<tree_watcher> old;  // a watcher of a moved root stops outside the lock
  std::lock_guard lock(mu_);
  if (stopped_) return false;
  auto& ps = projects_[project];
  ps.running = true;
  if (ps.watcher && ps.root == root) return true;
  old = std::move(ps.watcher);
  watch_options o = base_;
  o.walk = walk;
  auto w = tree_watcher::start(
      root, o, [this, project](std::vector<std::string> changed) { on_change(project, std::move(changed)); });
  if (!w.ok()) {
    spdlog::warn("cannot watch {}: {}", root, w.err().message);
    return false;
  }
  ps.watcher = std::move(*w);
  ps.root = root;
  spdlog::info("watching {} ({} directories)", root, ps.watcher->watches());
  return true;
}

// On the watcher's thread: a run now, or after the one going on.
void watch_scheduler::on_change(const std::string& project, std::vector<std::string> changed) {
  spdlog::debug("watch: {} saved file(s) in {}", changed.size(), project);
  std::string root;
  {
    std::lock_guard lock(mu_);
    auto it = projects_.find(project);
    if (stopped_ || it == projects_.end()) return;
    auto& ps = it->second;
    if (ps.running) {
      if (changed.empty()) ps.queued_all = true;
      ps.queued.insert(changed.begin(), changed.end());
      return;
    }
    root = ps.root;
  }
  start_(project, root, std::move(changed));
}

void watch_scheduler::run_ended(const std::string& project) {
  std::vector<std::string> next;
  std::string root;
  {
    std::lock_guard lock(mu_);
    auto it = projects_.find(project);
    if (stopped_ || it == projects_.end()) return;
    auto& ps = it->second;
    ps.running = false;
    if (ps.queued.empty() && !ps.queued_all) return;
    if (!ps.queued_all) next.assign(ps.queued.begin(), ps.queued.end());
    ps.queued.clear();
    ps.queued_all = false;
    root = ps.root;
  }
  // Not on the caller's thread (the engine's, when a run ends): starting a run takes
  // locks that thread's callbacks hold.
  runner_.post([this, project, root, next = std::move(next)]() mutable {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
    }
    start_(project, root, std::move(next));
  });
}

void watch_scheduler::unwatch(const std::string& project) {
  std::unique_ptr<tree_watcher> w;
  {
    std::lock_guard lock(mu_);
    auto it = projects_.find(project);
    if (it == projects_.end()) return;
    w = std::move(it->second.watcher);
    projects_.erase(it);
  }
}

bool watch_scheduler::watching(const std::string& project) const {
  std::lock_guard lock(mu_);
  auto it = projects_.find(project);
  return it != projects_.end() && it->second.watcher != nullptr;
}

std::vector<std::string> watch_scheduler::pending(const std::string& project) const {
  std::lock_guard lock(mu_);
  auto it = projects_.find(project);
  if (it == projects_.end()) return {};
  if (it->second.queued_all) return {"*"};
  return {it->second.queued.begin(), it->second.queued.end()};
}

size_t watch_scheduler::watched() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [p, ps] : projects_) n += ps.watcher != nullptr;
  return n;
}

}  // namespace cg
