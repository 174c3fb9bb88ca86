#include "schema/kinds.hpp"

#include <array>

namespace cg {
namespace {

constexpr std::array<std::string_view, node_kind_count> node_kind_names = {
    "?",        "file",      "module",   "package",     "namespace", "class",  "struct",      "union",
    "enum",     "interface", "trait",    "type_alias",  "function",  "method", "constructor", "field",
    "property", "variable",  "constant", "enum_member", "macro",     "import"};

constexpr std::array<std::string_view, edge_kind_count> edge_kind_names = {
    "?",          "contains",  "calls",   "imports", "inherits",    "implements",
    "references", "overrides", "type_of", "uses",    "instantiates"};

constexpr std::array<std::string_view, language_count> language_names = {
    "unknown", "python", "rust", "javascript", "jsx", "typescript", "tsx", "go", "java", "c", "cpp"};

template <class E, size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view s, size_t first) {
  for (size_t i = first; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

}  // namespace

std::string_view to_string(node_kind k) {
  auto i = static_cast<size_t>(k);
  return i < node_kind_names.size() ? node_kind_names[i] : "?";
}
std::string_view to_string(edge_kind k) {
  auto i = static_cast<size_t>(k);
  return i < edge_kind_names.size() ? edge_kind_names[i] : "?";
}
std::string_view to_string(language l) {
  auto i = static_cast<size_t>(l);
  return i < language_names.size() ? language_names[i] : "unknown";
}
std::string_view to_string(resolution r) {
  switch (r) {
    case resolution::unresolved: return "unresolved";
    case resolution::local: return "local";
    case resolution::import: return "import";
    case resolution::member: return "member";
    case resolution::package: return "package";
    case resolution::global: return "global";
    case resolution::heuristic: return "heuristic";
    case resolution::external: return "external";
    case resolution::possible: return "possible";
  }
  return "?";
}
std::string_view to_string(visibility v) {
  switch (v) {
    case visibility::none: return "";
    case visibility::public_: return "public";
    case visibility::protected_: return "protected";
    case visibility::private_: return "private";
    case visibility::internal: return "internal";
  }
  return "";
}

std::optional<node_kind> parse_node_kind(std::string_view s) {
  if (s == "class_") return node_kind::class_;
  return lookup<node_kind>(node_kind_names, s, 1);
}
std::optional<edge_kind> parse_edge_kind(std::string_view s) { return lookup<edge_kind>(edge_kind_names, s, 1); }
std::optional<language> parse_language(std::string_view s) {
  if (s == "py") return language::python;
  if (s == "rs") return language::rust;
  if (s == "js") return language::javascript;
  if (s == "ts") return language::typescript;
  if (s == "c++" || s == "cxx") return language::cpp;
  return lookup<language>(language_names, s, 1);
}

bool is_callable(node_kind k) {
  return k == node_kind::function || k == node_kind::method || k == node_kind::constructor || k == node_kind::macro;
}
bool is_type(node_kind k) {
  switch (k) {
    case node_kind::class_:
    case node_kind::struct_:
    case node_kind::union_:
    case node_kind::enum_:
    case node_kind::interface:
    case node_kind::trait:
    case node_kind::type_alias: return true;
    default: return false;
  }
}
bool is_container(node_kind k) {
  return k == node_kind::namespace_ || k == node_kind::package || k == node_kind::module;
}
bool is_scope(node_kind k) {
  return is_type(k) || is_callable(k) || k == node_kind::file || k == node_kind::module || k == node_kind::package ||
         k == node_kind::namespace_;
}

}  // namespace cg
