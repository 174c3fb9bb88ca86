#include "net/app/task_registry.hpp"

#include <algorithm>

namespace cg::net {
namespace {

std::string frame(bool sse, std::string_view event, const std::string& json) {
  return sse ? sse_frame(event, json) : json + "\n";
}

}  // namespace

task_info& task_registry::entry(uint64_t id) {
  auto& t = tasks_[id];
  t.id = id;
  return t;
}

void task_registry::started(uint64_t id, std::string project, std::string root, int64_t started_unix) {
  std::lock_guard lock(mu_);
  auto& t = entry(id);
  t.project = std::move(project);
  t.root = std::move(root);
  t.started_unix = started_unix;
  while (tasks_.size() > keep_) {
    auto it = std::find_if(tasks_.begin(), tasks_.end(), [](auto& kv) { return kv.second.state != "running"; });
    if (it == tasks_.end()) break;
    tasks_.erase(it);
  }
}

void task_registry::progress(uint64_t id, const std::string& json) {
  std::lock_guard lock(mu_);
  if (auto it = tasks_.find(id); it != tasks_.end()) it->second.last_progress = json;
  auto range = streams_.equal_range(id);
  for (auto it = range.first; it != range.second; ++it)
    it->second.first->write(frame(it->second.second, "progress", json));
}

void task_registry::finished(uint64_t id, const std::string& state, const std::string& summary) {
  std::lock_guard lock(mu_);
  if (auto it = tasks_.find(id); it != tasks_.end() && it->second.state == "running") {
    it->second.summary = summary;
    it->second.state = state;
  }
}

void task_registry::ended(uint64_t id, const std::string& state, const std::string& summary) {
  std::vector<std::pair<std::shared_ptr<stream_sink>, bool>> followers;
  {
    std::lock_guard lock(mu_);
    auto& t = entry(id);
    t.summary = summary;
    t.state = state;
    auto range = streams_.equal_range(id);
    for (auto it = range.first; it != range.second; ++it) followers.push_back(it->second);
    streams_.erase(id);
  }
  for (auto& [sink, sse] : followers) {
    sink->write(frame(sse, "done", summary));
    sink->close();
  }
}

std::optional<task_info> task_registry::get(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return std::nullopt;
  return it->second;
}

std::vector<task_info> task_registry::all() const {
  std::lock_guard lock(mu_);
  std::vector<task_info> out;
  out.reserve(tasks_.size());
  for (const auto& [id, t] : tasks_) out.push_back(t);
  return out;
}

task_registry::counts task_registry::count() const {
  std::lock_guard lock(mu_);
  counts c;
  for (const auto& [id, t] : tasks_) ++(t.state == "running" ? c.running : t.state == "done" ? c.done : c.failed);
  return c;
}

void task_registry::stream(uint64_t id, std::shared_ptr<stream_sink> sink, bool sse) {
  std::unique_lock lock(mu_);
  auto it = tasks_.find(id);
  if (it == tasks_.end()) {
    lock.unlock();
    sink->close();
    return;
  }
  if (!it->second.last_progress.empty()) sink->write(frame(sse, "progress", it->second.last_progress));
  if (it->second.state != "running") {
    auto s = it->second.summary;
    lock.unlock();
    sink->write(frame(sse, "done", s));
    sink->close();
    return;
  }
  streams_.emplace(id, std::make_pair(sink, sse));
  std::weak_ptr<stream_sink> weak = sink;
  lock.unlock();
  sink->on_end([this, id, weak] {
    std::lock_guard lock(mu_);
    auto range = streams_.equal_range(id);
    for (auto it = range.first; it != range.second; ++it)
      if (it->second.first == weak.lock() || weak.expired()) {
        streams_.erase(it);
        break;
      }
  });
}

}  // namespace cg::net
