#pragma once
// The GraphQL parser (spec section 2 and 3): a whole document, executable and
// type-system definitions alike. A syntax error stops it ("Syntax Error: ..." with
// the place), as in the reference implementation.
#include <string_view>
#include <variant>

#include "schema/graphql/ast.hpp"
#include "schema/graphql/error.hpp"

namespace cg::gql {

struct parse_limits {
  size_t max_tokens = 100000;  // documents over this are refused, not parsed
  int max_depth = 128;         // nesting of selections, lists, objects and types
};

std::variant<document, gql_error> parse(std::string_view source, const parse_limits& limits = {});

}  // namespace cg::gql
