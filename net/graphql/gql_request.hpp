#pragma once
// A GraphQL request object as every transport receives it ({"query", "variables",
// "operationName"}), checked and turned into the engine's request. Plain C++.
#include <nlohmann/json.hpp>

#include "schema/graphql/execute.hpp"
#include "schema/result.hpp"

namespace cg::net {

result<gql::request> gql_request_from_json(const nlohmann::json& j);

}  // namespace cg::net
