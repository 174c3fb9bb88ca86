#pragma once
// Input coercion (spec 3.5 and 6.4.1) and leaf serialisation (6.4.3).
#include <string>

#include "schema/graphql/schema.hpp"

namespace cg::gql {

// A literal (with variables already coerced) as a value of type t; false and *err on
// a mismatch. An absent variable inside a list or object is a null.
bool coerce_literal(const schema& s, const value& v, const type_ref& t, const json& variables, json& out,
                    std::string& err);
// A variable's JSON value as type t (the path names where in the value it failed).
bool coerce_input(const schema& s, const json& in, const type_ref& t, json& out, std::string& err,
                  const std::string& path = "");
// A resolver's value for a leaf type, or why it cannot represent it.
bool serialize_leaf(const type_info& t, const json& in, json& out, std::string& err);
// Renders a JSON value the way graphql-js quotes it in messages.
std::string inspect(const json& v);

}  // namespace cg::gql
