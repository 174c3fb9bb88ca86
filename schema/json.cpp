#include "schema/json.hpp"

#include <nlohmann/json.hpp>

#include "schema/hash.hpp"

namespace cg {
namespace {

nlohmann::json modifiers_json(const node& n) {
  auto arr = nlohmann::json::array();
  static constexpr std::pair<uint16_t, const char*> names[] = {
      {modifier::static_, "static"},     {modifier::async, "async"},
      {modifier::abstract, "abstract"},  {modifier::exported, "exported"},
      {modifier::const_, "const"},       {modifier::virtual_, "virtual"},
      {modifier::final_, "final"},       {modifier::declaration, "declaration"},
      {modifier::generator, "generator"}, {modifier::manual, "manual"}};
  for (auto [bit, name] : names)
    if (n.has(bit)) arr.push_back(name);
  return arr;
}

uint16_t modifiers_from_json(const nlohmann::json& arr) {
  uint16_t m = 0;
  static const std::pair<const char*, uint16_t> names[] = {
      {"static", modifier::static_},     {"async", modifier::async},
      {"abstract", modifier::abstract},  {"exported", modifier::exported},
      {"const", modifier::const_},       {"virtual", modifier::virtual_},
      {"final", modifier::final_},       {"declaration", modifier::declaration},
      {"generator", modifier::generator}, {"manual", modifier::manual}};
  for (const auto& v : arr)
    if (v.is_string())
      for (auto [name, bit] : names)
        if (v.get<std::string>() == name) m |= bit;
  return m;
}

}  // namespace

nlohmann::json to_json(const node& n) {
  nlohmann::json j;
  j["id"] = format_id(n.id);
  j["kind"] = to_string(n.kind);
  j["name"] = n.name;
  j["qualified_name"] = n.qualified_name;
  j["language"] = to_string(n.lang);
  j["file"] = n.file;
  j["line"] = n.name_pos.line;
  j["column"] = n.name_pos.column;
  j["span"] = {{"start_line", n.span.start.line}, {"start_column", n.span.start.column},
               {"end_line", n.span.end.line},     {"end_column", n.span.end.column},
               {"start_byte", n.span.start_byte}, {"end_byte", n.span.end_byte}};
  if (!n.signature.empty()) j["signature"] = n.signature;
  if (!n.type_name.empty()) j["type"] = n.type_name;
  if (!n.docstring.empty()) j["docstring"] = n.docstring;
  if (n.vis != visibility::none) j["visibility"] = to_string(n.vis);
  j["modifiers"] = modifiers_json(n);
  j["content_hash"] = format_id(n.content_hash);
  if (n.parent != 0) j["parent"] = format_id(n.parent);
  return j;
}

nlohmann::json to_json(const edge& e) {
  nlohmann::json j;
  j["source"] = format_id(e.source);
  j["kind"] = to_string(e.kind);
  if (e.resolved()) j["target"] = format_id(e.target);
  else j["target"] = nullptr;
  j["resolution"] = to_string(e.how);
  if (!e.target_name.empty()) j["target_name"] = e.target_name;
  auto sites = nlohmann::json::array();
  for (const auto& s : e.sites) sites.push_back({{"line", s.line}, {"column", s.column}});
  j["sites"] = std::move(sites);
  return j;
}

nlohmann::json to_json(const file_record& f) {
  return {{"path", f.path},
          {"language", to_string(f.lang)},
          {"size", f.size},
          {"mtime_ns", f.mtime_ns},
          {"content_hash", format_id(f.content_hash)},
          {"status", to_string(f.status)},
          {"syntax_errors", f.error_count},
          {"loc", f.loc},
          {"nodes", f.node_count},
          {"invalid_utf8", f.invalid_utf8}};
}

nlohmann::json to_json(const error& e) {
  return {{"code", to_string(e.code)}, {"message", e.message}};
}

result<node> node_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return make_error(errc::invalid_argument, "a node must be a JSON object");
  node n;
  try {
    auto kind = parse_node_kind(j.at("kind").get<std::string>());
    if (!kind) return make_error(errc::invalid_argument, "unknown node kind");
    n.kind = *kind;
    n.name = j.at("name").get<std::string>();
    n.qualified_name = j.value("qualified_name", n.name);
    n.file = j.value("file", std::string());
    if (auto l = parse_language(j.value("language", std::string("unknown")))) n.lang = *l;
    n.name_pos.line = j.value("line", 0u);
    n.name_pos.column = j.value("column", 0u);
    n.signature = j.value("signature", std::string());
    n.type_name = j.value("type", std::string());
    n.docstring = j.value("docstring", std::string());
    if (j.contains("modifiers")) n.modifiers = modifiers_from_json(j["modifiers"]);
    if (j.contains("id")) {
      if (!parse_id(j["id"].get<std::string>(), n.id))
        return make_error(errc::invalid_argument, "id must be 16 hex digits");
    }
  } catch (const nlohmann::json::exception& e) {
    return make_error(errc::invalid_argument, std::string("bad node JSON: ") + e.what());
  }
  return n;
}

}  // namespace cg
