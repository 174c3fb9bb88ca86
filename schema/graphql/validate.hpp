#pragma once
// Validation (spec section 5): the core rules, with the reference implementation's
// messages so that tools written against graphql-js read our errors the same way.
#include <vector>

#include "schema/graphql/ast.hpp"
#include "schema/graphql/error.hpp"
#include "schema/graphql/schema.hpp"

namespace cg::gql {

std::vector<gql_error> validate(const schema& s, const document& doc, size_t max_errors = 100);

}  // namespace cg::gql
