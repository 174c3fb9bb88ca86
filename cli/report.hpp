#pragma once
// Rendering of project statistics and index summaries, as text and as JSON.
#include <cstdio>
#include <nlohmann/json_fwd.hpp>

#include "actors/graph/graph_query.hpp"
#include "actors/indexer/index_types.hpp"

namespace cg::cli {

nlohmann::json stats_json(const graph_stats& s);
void print_stats(std::FILE* out, const graph_stats& s);

nlohmann::json summary_json(const index_summary& s);
void print_summary(std::FILE* out, const index_summary& s);

nlohmann::json resolution_json(const resolution_counts& c);

}  // namespace cg::cli
