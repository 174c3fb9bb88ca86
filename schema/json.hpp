#pragma once
// JSON encodings (nlohmann) of the model, for the CLI and the API.
#include <nlohmann/json_fwd.hpp>

#include "schema/edge.hpp"
#include "schema/file_record.hpp"
#include "schema/node.hpp"
#include "schema/result.hpp"

namespace cg {

nlohmann::json to_json(const node& n);
nlohmann::json to_json(const edge& e);
nlohmann::json to_json(const file_record& f);
nlohmann::json to_json(const error& e);

result<node> node_from_json(const nlohmann::json& j);

}  // namespace cg
