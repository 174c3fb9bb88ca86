#pragma once
// An index task's plain state: what to parse (by comparing the walk with the stored
// manifest), what came back, and the running tally. The indexer actor feeds it
// messages; tests drive it directly.
#include <chrono>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/graph/graph_state.hpp"
#include "actors/indexer/index_types.hpp"
#include "actors/parser/parser_state.hpp"

namespace cg {

class indexer_state {
 public:
  indexer_state(index_request req, uint64_t task);

  const index_request& request() const { return req_; }
  uint64_t task() const { return task_; }

  status walk();
  // Decides, per walked file, whether it must be parsed, and which stored files
  // disappeared. Files whose size and mtime match the manifest are not even read.
  void plan(const std::vector<file_record>& manifest);

  bool has_job() const { return !jobs_.empty(); }
  parse_job next_job();
  size_t jobs_left() const { return jobs_.size(); }
  const std::vector<std::string>& removals() const { return removals_; }

  // What to do with a parse outcome.
  enum class action { apply, touch, drop, forget };  // forget: remove a stored file now unindexable
  action on_parsed(parse_outcome& out, const std::string& path);
  void on_changes(const std::vector<file_change>& changes);
  void on_resolved(const resolve_summary& r);
  void fail(std::string message);
  void cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_; }

  index_progress progress(index_phase phase) const;
  index_summary finish(index_phase outcome);

  // Phase timing marks.
  void mark_walked();
  void mark_parsed();

 private:
  using clock = std::chrono::steady_clock;
  double since_start() const;

  index_request req_;
  uint64_t task_;
  clock::time_point start_ = clock::now();
  walk_result walk_;
  std::unordered_map<std::string, file_record> previous_;
  std::deque<parse_job> jobs_;
  std::vector<std::string> removals_;
  size_t files_total_ = 0, files_done_ = 0;
  uint64_t bytes_total_ = 0, bytes_done_ = 0;
  std::unordered_map<std::string, uint64_t> job_bytes_;
  index_summary summary_;
  bool cancelled_ = false;
  std::string current_;
};

}  // namespace cg
