#pragma once
// What the vector actor is asked. Every request gets one response (status_reply,
// hits_reply, ... in caf_types.hpp); a search also streams its batches to on_batch as
// they are ready, on an actor thread (it must not block), before the response.
#include <chrono>
#include <functional>
#include <memory>
#include <shared_mutex>

#include "actors/search/search_types.hpp"
#include "actors/search/vector_state.hpp"

namespace cg {

struct search_call {
  search_request req;
  std::function<void(const search_batch&)> on_batch;
};

// Nodes like a given node, or (id 0, vector set) nearest to a raw query vector.
struct similar_call {
  node_id id = 0;
  std::vector<float> vector;
  size_t k = 10;
  float min_score = 0.0f;
  search_mode mode = search_mode::balanced;
  search_filters filters;
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
