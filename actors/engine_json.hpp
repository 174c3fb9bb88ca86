#pragma once
// JSON encodings of what the engine facade returns (index summaries and progress,
// project statistics, search hits, change sets), shared by the CLI and the server.
// Plain C++: no CAF.
#include <nlohmann/json_fwd.hpp>

#include "actors/bus/events.hpp"
#include "actors/graph/graph_query.hpp"
#include "actors/indexer/index_types.hpp"
#include "actors/search/search_types.hpp"
#include "actors/search/vector_state.hpp"

namespace cg {

nlohmann::json resolution_json(const resolution_counts& c);
nlohmann::json stats_json(const graph_stats& s);
nlohmann::json summary_json(const index_summary& s);
nlohmann::json progress_json(const index_progress& p);
// The inverses (the CLI follows a run handed to a server): fields absent or of the
// wrong type keep their defaults.
index_summary summary_from_json(const nlohmann::json& j);
index_progress progress_from_json(const nlohmann::json& j);
nlohmann::json hit_json(const search_hit& h);
// hit_json(h).dump(), written directly (the server answers searches with it; a JSON
// tree per hit cost a tenth of a search). Same keys, order and values.
void append_hit_json(std::string& out, const search_hit& h);
nlohmann::json batch_json(const search_batch& b);
nlohmann::json changes_json(const node_changes& c);
nlohmann::json event_json(const event& e);  // {"topic", "type", "data"}

}  // namespace cg
