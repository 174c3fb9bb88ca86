#pragma once
// Search requests and results as the rest of the program sees them (CLI, server).
#include <cstdint>
#include <string>
#include <vector>

#include "actors/search/ann/vector_index.hpp"
#include "actors/search/fusion.hpp"
#include "schema/kinds.hpp"
#include "schema/node.hpp"

namespace cg {

struct search_filters {
  std::vector<language> languages;  // empty: all
  std::vector<node_kind> kinds;     // empty: all searchable kinds
  std::string path_glob;            // gitignore-style glob on the file path; empty: all
};

struct search_request {
  std::string project;
  std::string query;
  search_mode mode = search_mode::balanced;
  size_t k = 10;
  search_filters filters;
  // Convex by default: on CPython (bench/search_bench) it beats BM25 and vectors
  // alone where RRF at k = 60 falls below BM25 (docs/ARCHITECTURE.md, "Fusion").
  fusion_method fusion = fusion_method::convex;
  float bm25_weight = 1.0f;  // fusion weights (both methods)
  float vector_weight = 0.2f;
  size_t rrf_k = 60;          // RRF only
  float graph_weight = 1.0f;  // 0 turns the graph-context rerank off
  std::string context_file;   // rerank: definitions near this file first
  node_id context_node = 0;   // rerank: neighbours of this node first
  size_t batch_size = 10;     // results per streamed batch
  // A version (3, head~1, a tag, a branch): search the definitions that version held.
  // Its search state is built on first use (exact, brute force) and kept for the next
  // searches of that version; empty: the newest state.
  std::string at;
};

struct search_hit {
  node_id id = 0;
  node_kind kind = node_kind::function;
  language lang = language::unknown;
  std::string name, qualified_name, file;
  uint32_t line = 0;
  double score = 0;   // fused and reranked
  int bm25_rank = 0;  // 1-based; 0 when BM25 did not return it
  float bm25_score = 0;
  int vector_rank = 0;
  float vector_score = 0;            // cosine similarity
  float graph_boost = 0;             // the rerank's multiplier minus one
  std::vector<std::string> reasons;  // which signals matched, in words
};

struct search_batch {
  size_t index = 0;  // 0, 1, ...
  std::vector<search_hit> hits;
  bool last = false;
  size_t total = 0;  // hits in the whole answer (known once ranked)
  double elapsed_ms = 0;
};

}  // namespace cg
