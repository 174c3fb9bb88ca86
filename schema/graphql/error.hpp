#pragma once
// A GraphQL error: a message, the places in the document it is about and, during
// execution, the response path of the field that failed.
#include <string>
#include <variant>
#include <vector>

#include "schema/graphql/ast.hpp"

namespace cg::gql {

using path_segment = std::variant<std::string, size_t>;

struct gql_error {
  std::string message;
  std::vector<location> locations;
  std::vector<path_segment> path;
  std::string code;  // extensions.code when set (BAD_USER_INPUT, FORBIDDEN, ...)
};

}  // namespace cg::gql
