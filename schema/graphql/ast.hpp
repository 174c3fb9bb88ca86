#pragma once
// The GraphQL syntax tree: executable definitions (operations, fragments) and the
// type-system definitions an SDL file holds. Plain structs, built by parser.cpp.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cg::gql {

struct location {
  uint32_t line = 0, column = 0;  // 1-based; column counts characters
};

struct value {
  enum class kind : uint8_t { variable, int_, float_, string, boolean, null, enum_, list, object };
  kind k = kind::null;
  std::string text;  // variable or enum name, number literal, string contents
  bool boolean = false;
  bool block = false;                                 // a block string (for printing)
  std::vector<value> items;                           // list
  std::vector<std::pair<std::string, value>> fields;  // object, in source order
  location loc;

  // Out of line: a member of its own type in a pair is still incomplete here, which
  // clang (14, with libstdc++ 12) refuses when it makes the special members inline.
  value();
  value(const value&);
  value(value&&) noexcept;
  value& operator=(const value&);
  value& operator=(value&&) noexcept;
  ~value();
};

struct type_ref {
  enum class kind : uint8_t { named, list, non_null } k = kind::named;
  std::string name;              // named
  std::shared_ptr<type_ref> of;  // list, non_null
  location loc;

  static type_ref named_type(std::string n) {
    type_ref t;
    t.name = std::move(n);
    return t;
  }
  static type_ref wrap(kind k, type_ref inner) {
    type_ref t;
    t.k = k;
    t.loc = inner.loc;
    t.of = std::make_shared<type_ref>(std::move(inner));
    return t;
  }
  const std::string& base() const { return k == kind::named ? name : of->base(); }
  bool non_null() const { return k == kind::non_null; }
  std::string str() const;  // "[Int!]!"
};

struct argument {
  std::string name;
  value v;
  location loc;
};

struct directive {
  std::string name;
  std::vector<argument> args;
  location loc;
};

struct selection;
using selection_set = std::vector<selection>;

struct selection {
  enum class kind : uint8_t { field, spread, inline_fragment } k = kind::field;
  std::string alias, name;     // field (alias may be empty); spread: the fragment name
  std::vector<argument> args;  // field
  std::vector<directive> directives;
  std::string type_condition;  // inline fragment ("" when absent)
  selection_set sub;
  location loc;
  const std::string& response_name() const { return alias.empty() ? name : alias; }
};

struct variable_def {
  std::string name;
  type_ref type;
  std::optional<value> default_value;
  std::vector<directive> directives;
  location loc;
};

struct operation {
  std::string op = "query";  // query, mutation, subscription
  std::string name;
  std::vector<variable_def> vars;
  std::vector<directive> directives;
  selection_set sel;
  location loc;
};

struct fragment {
  std::string name, type_condition;
  std::vector<directive> directives;
  selection_set sel;
  location loc;
};

// Type-system definitions (SDL).
struct input_value_def {
  std::string description, name;
  type_ref type;
  std::optional<value> default_value;
  std::vector<directive> directives;
  location loc;
};

struct field_def {
  std::string description, name;
  std::vector<input_value_def> args;
  type_ref type;
  std::vector<directive> directives;
  location loc;
};

struct enum_value_def {
  std::string description, name;
  std::vector<directive> directives;
  location loc;
};

struct type_def {
  enum class kind : uint8_t { scalar, object, interface, union_, enum_, input } k = kind::object;
  bool extension = false;
  std::string description, name;
  std::vector<std::string> interfaces;  // object, interface
  std::vector<directive> directives;
  std::vector<field_def> fields;  // object, interface
  std::vector<input_value_def> input_fields;
  std::vector<std::string> members;    // union
  std::vector<enum_value_def> values;  // enum
  location loc;
};

struct directive_def {
  std::string description, name;
  std::vector<input_value_def> args;
  bool repeatable = false;
  std::vector<std::string> locations;
  location loc;
};

struct schema_def {
  bool extension = false;
  std::string description;
  std::vector<directive> directives;
  std::vector<std::pair<std::string, std::string>> ops;  // "query" -> type name
  location loc;
};

struct document {
  std::vector<operation> operations;
  std::vector<fragment> fragments;
  std::vector<type_def> types;
  std::vector<directive_def> directives;
  std::vector<schema_def> schemas;
  // Every type-system definition in source order: its name ("" for schema) and place
  // (the ExecutableDefinitions rule reports them).
  std::vector<std::pair<std::string, location>> type_system;
};

// Renders a value as GraphQL source (what error messages quote).
std::string print(const value& v);

}  // namespace cg::gql
