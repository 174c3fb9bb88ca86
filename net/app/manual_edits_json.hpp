#pragma once
// A transaction's edits as clients send them, over REST (POST .../nodes/batch) and
// GraphQL (applyEdits): [{"create": NODE} | {"id": ID, "update": NODE} |
// {"delete": ID}, ...], NODE as node_input_from_json reads it. Plain C++.
#include <cstddef>

#include <nlohmann/json_fwd.hpp>

#include "actors/engine.hpp"
#include "schema/result.hpp"

namespace cg::net {

inline constexpr size_t max_edits_per_transaction = 1000;

// invalid_argument naming the edit ("edits[2]: ...") for a malformed one, too_large
// past max_edits_per_transaction. The edits are to be committed as one version.
result<manual_edits> manual_edits_from_json(const nlohmann::json& list);

}  // namespace cg::net
