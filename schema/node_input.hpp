#pragma once
// The fields a client may set on a manual node, parsed once and checked (REST
// bodies and GraphQL input objects both arrive as JSON objects).
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "schema/node.hpp"
#include "schema/result.hpp"

namespace cg {

struct node_input {
  std::optional<node_kind> kind;
  std::optional<language> lang;
  std::optional<std::string> name, qualified_name, file, signature, type_name, docstring;
  std::optional<uint32_t> line, column;

  // Sets the given fields on n.
  void apply_to(node& n) const;
};

// Accepts the keys kind, name, qualified_name (or qualifiedName), file (or filePath),
// language, line (or lineNumber), column, signature, type, docstring; any other key,
// a wrong type or an unknown kind/language is an invalid_argument naming the field.
// With require_create, kind and name must be present.
result<node_input> node_input_from_json(const nlohmann::json& j, bool require_create);

}  // namespace cg
