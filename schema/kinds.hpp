#pragma once
// The vocabularies of the graph: node kinds, edge kinds, languages, modifiers.
#include <cstdint>
#include <optional>
#include <string_view>

namespace cg {

enum class node_kind : uint8_t {
  file = 1,
  module,
  package,
  namespace_,
  class_,
  struct_,
  union_,
  enum_,
  interface,
  trait,
  type_alias,
  function,
  method,
  constructor,
  field,
  property,
  variable,
  constant,
  enum_member,
  macro,
  import,
};
inline constexpr int node_kind_count = 22;  // one past the last value

enum class edge_kind : uint8_t {
  contains = 1,
  calls,
  imports,
  inherits,
  implements,
  references,
  overrides,
  type_of,
  uses,
  instantiates,  // a call site builds an instance of the target type (C(), new C)
};
inline constexpr int edge_kind_count = 11;

enum class language : uint8_t {
  unknown = 0,
  python,
  rust,
  javascript,
  jsx,
  typescript,
  tsx,
  go,
  java,
  c,
  cpp,
};
inline constexpr int language_count = 11;

// How an edge's target was found; ordered from most to least certain.
enum class resolution : uint8_t {
  unresolved = 0,  // only the target's name is known
  local,           // same file, by lexical scope
  import,          // through one of the file's imports
  member,          // a member of a known receiver/self type or base class
  package,         // same package/module/namespace
  global,          // the only project-wide definition with that name
  heuristic,       // the nearest of several project-wide candidates
  external,        // outside the project: a builtin, or through an import of an external module
  possible,        // one of several targets the value analysis found (a name bound twice, a list of functions)
};

enum class visibility : uint8_t { none = 0, public_, protected_, private_, internal };

namespace modifier {
inline constexpr uint16_t static_ = 1u << 0;
inline constexpr uint16_t async = 1u << 1;
inline constexpr uint16_t abstract = 1u << 2;
inline constexpr uint16_t exported = 1u << 3;
inline constexpr uint16_t const_ = 1u << 4;
inline constexpr uint16_t virtual_ = 1u << 5;
inline constexpr uint16_t final_ = 1u << 6;
inline constexpr uint16_t declaration = 1u << 7;  // no body here (prototype, abstract member)
inline constexpr uint16_t generator = 1u << 8;
inline constexpr uint16_t manual = 1u << 9;  // created through the API, not by a parser
}  // namespace modifier

std::string_view to_string(node_kind k);
std::string_view to_string(edge_kind k);
std::string_view to_string(language l);
std::string_view to_string(resolution r);
std::string_view to_string(visibility v);

std::optional<node_kind> parse_node_kind(std::string_view s);
std::optional<edge_kind> parse_edge_kind(std::string_view s);
std::optional<language> parse_language(std::string_view s);

// Kinds that define callable code, types, and containers of definitions.
bool is_callable(node_kind k);
bool is_type(node_kind k);
bool is_scope(node_kind k);
// Namespaces, packages and modules: scopes that span files.
bool is_container(node_kind k);

}  // namespace cg
