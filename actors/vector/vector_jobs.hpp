#pragma once
// Work the vector actor accepts. Each job carries its own completion callbacks:
// search batches stream to on_batch as they are ready, then done runs once.
// Callbacks run on an actor thread and must not block.
#include <functional>

#include "actors/vector/search_types.hpp"
#include "actors/vector/vector_state.hpp"

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
  std::function<void(const result<sync_summary>&)> done;
};

struct vstats_job {
  std::function<void(const result<vector_stats>&)> done;
};

}  // namespace cg
