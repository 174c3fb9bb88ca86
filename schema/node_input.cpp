#include "schema/node_input.hpp"

#include <nlohmann/json.hpp>

namespace cg {

void node_input::apply_to(node& n) const {
  if (kind) n.kind = *kind;
  if (lang) n.lang = *lang;
  if (name) n.name = *name;
  if (qualified_name) n.qualified_name = *qualified_name;
  if (file) n.file = *file;
  if (signature) n.signature = *signature;
  if (type_name) n.type_name = *type_name;
  if (docstring) n.docstring = *docstring;
  if (line) n.name_pos.line = *line;
  if (column) n.name_pos.column = *column;
}

namespace {
error bad(const std::string& field, const std::string& why) {
  return make_error(errc::invalid_argument, field + ": " + why);
}
}  // namespace

result<node_input> node_input_from_json(const nlohmann::json& j, bool require_create) {
  if (!j.is_object()) return make_error(errc::invalid_argument, "a node input must be a JSON object");
  node_input in;
  for (const auto& item : j.items()) {
    const std::string& key = item.key();  // not a structured binding: lambdas capture these (clang 14)
    const auto& v = item.value();
    if (v.is_null()) continue;  // an absent field
    auto str = [&](std::optional<std::string>& out) -> status {
      if (!v.is_string()) return bad(key, "must be a string");
      out = v.get<std::string>();
      return {};
    };
    auto num = [&](std::optional<uint32_t>& out) -> status {
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 100000000)
        return bad(key, "must be a non-negative integer");
      out = static_cast<uint32_t>(v.get<int64_t>());
      return {};
    };
    status s;
    if (key == "kind" || key == "nodeType") {
      if (!v.is_string()) return bad(key, "must be a string");
      auto k = parse_node_kind(v.get<std::string>());
      if (!k) return bad(key, "unknown node kind '" + v.get<std::string>() + "'");
      in.kind = *k;
    } else if (key == "language") {
      if (!v.is_string()) return bad(key, "must be a string");
      auto l = parse_language(v.get<std::string>());
      if (!l) return bad(key, "unknown language '" + v.get<std::string>() + "'");
      in.lang = *l;
    } else if (key == "name")
      s = str(in.name);
    else if (key == "qualified_name" || key == "qualifiedName")
      s = str(in.qualified_name);
    else if (key == "file" || key == "filePath")
      s = str(in.file);
    else if (key == "signature")
      s = str(in.signature);
    else if (key == "type" || key == "typeName")
      s = str(in.type_name);
    else if (key == "docstring")
      s = str(in.docstring);
    else if (key == "line" || key == "lineNumber")
      s = num(in.line);
    else if (key == "column")
      s = num(in.column);
    else
      return bad(key, "not a field of a node input");
    if (!s.ok()) return s.err();
  }
  if (in.name && in.name->empty()) return bad("name", "must not be empty");
  if (require_create) {
    if (!in.kind) return bad("kind", "is required");
    if (!in.name) return bad("name", "is required");
  }
  return in;
}

}  // namespace cg
