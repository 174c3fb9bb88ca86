#pragma once
// Rendering of project statistics and index summaries, as text and as JSON.
#include <cstdio>
#include <nlohmann/json_fwd.hpp>

#include "actors/engine_json.hpp"
#include "actors/indexer/index_types.hpp"
#include "actors/read_api.hpp"

namespace cg::cli {

using cg::resolution_json;
using cg::stats_json;
using cg::summary_json;

void print_stats(std::FILE* out, const graph_stats& s);

void print_summary(std::FILE* out, const index_summary& s);

}  // namespace cg::cli
