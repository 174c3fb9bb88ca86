#pragma once
// The server's index tasks as clients see them (GET /api/v1/tasks, parseProgress, the
// task streams): each task's project, root, state, last progress and summary, and the
// NDJSON/SSE streams following it. Bounded: past `keep` tasks the oldest finished ones
// are forgotten. Thread-safe. Payloads are JSON text made by the caller.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "net/app/api_types.hpp"

namespace cg::net {

struct task_info {
  uint64_t id = 0;
  std::string project, root;
  std::string state = "running";  // running | done | failed | cancelled
  std::string last_progress;      // JSON
  std::string summary;            // JSON, when finished
  int64_t started_unix = 0;
};

class task_registry {
 public:
  explicit task_registry(size_t keep = 1000) : keep_(keep) {}

  // A task the engine started. Its end may have been recorded already (the engine
  // can finish a task before the caller registers it): that stays.
  void started(uint64_t id, std::string project, std::string root, int64_t started_unix);
  // Progress: kept as the task's last and written to its streams.
  void progress(uint64_t id, const std::string& json);
  // The bus says the task is over (its graph part): recorded if it still runs, so a
  // client that looks after hearing the event sees it over.
  void finished(uint64_t id, const std::string& state, const std::string& summary);
  // The task is over for good (search index included): the final summary, written to
  // its streams, which then close.
  void ended(uint64_t id, const std::string& state, const std::string& summary);

  std::optional<task_info> get(uint64_t id) const;
  std::vector<task_info> all() const;
  struct counts {
    size_t running = 0, done = 0, failed = 0;  // failed: failed or cancelled
  };
  counts count() const;

  // A stream of the task: its last progress at once, then each progress, then the
  // summary and the end. An unknown task's stream just ends.
  void stream(uint64_t id, std::shared_ptr<stream_sink> sink, bool sse);

 private:
  task_info& entry(uint64_t id);  // under mu_
  size_t keep_;
  mutable std::mutex mu_;
  std::map<uint64_t, task_info> tasks_;
  std::multimap<uint64_t, std::pair<std::shared_ptr<stream_sink>, bool>> streams_;  // task -> sink, sse
};

}  // namespace cg::net
