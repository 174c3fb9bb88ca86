#pragma once
// Work the vector actor accepts. Each job carries its own completion callbacks:
// search batches stream to on_batch as they are ready, then done runs once.
// Callbacks run on an actor thread and must not block.
#include <chrono>
#include <functional>
#include <memory>
#include <shared_mutex>

#include "actors/search/search_types.hpp"
#include "actors/search/vector_state.hpp"

namespace cg {

struct search_job {
  search_request req;
  std::function<void(const search_batch&)> on_batch;
  std::function<void(const status&)> done;
};

// Nodes like a given node, or (id 0, vector set) nearest to a raw query vector.
struct similar_job {
  node_id id = 0;
  std::vector<float> vector;
  size_t k = 10;
  float min_score = 0.0f;
  search_mode mode = search_mode::balanced;
  search_filters filters;
  std::function<void(const result<std::vector<search_hit>>&)> done;
};

struct vsync_job {
  bool rebuild = false;
  // The actor's own message: one step of the pending ANN build (vector_state::index_step).
  bool index_step = false;
  std::function<void(const result<sync_summary>&)> done;
};

struct vstats_job {
  std::function<void(const result<vector_stats>&)> done;
};

// A project's search state as its readers share it. The vector actor is its only
// writer (load, sync, save: rw held alone); searches read it under rw shared, from the
// actor's short-lived readers or, when it is current, straight from the caller's
// thread (engine::search: no message, no thread hop).
struct vector_shared {
  std::shared_ptr<vector_state> state;
  std::shared_ptr<std::shared_mutex> rw = std::make_shared<std::shared_mutex>();
};

// Hands a ranked answer to on_batch in batches of batch_size (at least one batch, the
// last flagged), each with the time since t0.
void deliver_batches(std::vector<search_hit>&& hits, size_t batch_size, std::chrono::steady_clock::time_point t0,
                     const std::function<void(const search_batch&)>& on_batch);

}  // namespace cg
