#include "net/graphql/gql_request.hpp"

#include "schema/client_json.hpp"

namespace cg::net {

result<gql::request> gql_request_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return make_error(errc::invalid_argument, "a GraphQL request is a JSON object");
  gql::request r;
  if (!j.contains("query") || !j["query"].is_string())
    return make_error(errc::invalid_argument, "a GraphQL request needs a query string");
  r.query = j["query"].get<std::string>();
  if (j.contains("variables") && !j["variables"].is_null()) {
    if (!j["variables"].is_object()) return make_error(errc::invalid_argument, "variables must be a JSON object");
    // Every transport parses with parse_client_json; a value built some other way is
    // checked here before anything recurses over it.
    if (json_value_nesting(j["variables"], client_json_max_depth + 1) > client_json_max_depth)
      return make_error(errc::invalid_argument,
                        "variables are nested deeper than " + std::to_string(client_json_max_depth) + " levels");
    r.variables = gql::json::parse(j["variables"].dump());
  }
  if (j.contains("operationName") && !j["operationName"].is_null()) {
    if (!j["operationName"].is_string()) return make_error(errc::invalid_argument, "operationName must be a string");
    r.operation_name = j["operationName"].get<std::string>();
  }
  return r;
}

}  // namespace cg::net
