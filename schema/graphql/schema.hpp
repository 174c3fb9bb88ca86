#pragma once
// A GraphQL schema built from SDL, with the built-in scalars and directives and the
// introspection types, and the resolvers that give its fields their values.
//
// Values are JSON (ordered, so responses keep the order of the selection). An object
// value is a JSON object; an abstract-typed value names its concrete type in
// "__typename". A field without a resolver reads the parent's member of its name.
#include <any>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "schema/graphql/ast.hpp"
#include "schema/graphql/budget.hpp"
#include "schema/graphql/error.hpp"
#include "schema/result.hpp"

namespace cg::gql {

using json = nlohmann::ordered_json;

// Per request: whatever the resolvers need (the caller, the engine); plus the
// request's own limits.
struct context {
  std::any user;
  // Time, memory and cancellation (null: unbounded). Resolvers that loop over many
  // parents or walk far check budget->stopped() and stop early.
  std::shared_ptr<exec_budget> budget;
  bool stopped() const { return budget && budget->stopped(); }
};

// One field's value for one parent: a value, or an error message (the executor adds
// the path and place).
struct field_value {
  field_value() = default;
  field_value(json v) : value(std::move(v)) {}  // NOLINT: a plain value converts
  json value;
  std::string error;
  std::string code;  // extensions.code of the error
  static field_value fail(std::string msg, std::string code = {}) {
    field_value v;
    v.error = std::move(msg);
    v.code = std::move(code);
    return v;
  }
};

// Resolves one field for every parent of one level at once (batched loading: a list
// of a hundred nodes costs one call, not a hundred). Returns one value per parent.
using batch_resolver =
    std::function<std::vector<field_value>(const std::vector<const json*>& parents, const json& args, context& ctx)>;

// A subscription's source stream. emit delivers one event (the root field's value)
// and its coalescing key: events of one stream with the same non-empty key supersede
// each other (the newer says all the older did, e.g. a node's latest state), so a
// transport that has not yet sent the older may send the newer in its place; "" means
// every event counts. end finishes the stream (an error message, or "" for a normal
// end). The handle stops the stream when destroyed. Both callbacks may run on any thread.
struct stream_handle {
  virtual ~stream_handle() = default;
};
using emit_fn = std::function<void(json value, std::string coalesce)>;
using subscribe_fn = std::function<result<std::unique_ptr<stream_handle>>(const json& args, context& ctx, emit_fn emit,
                                                                          std::function<void(std::string)> end)>;

struct arg_info {
  std::string name, description;
  type_ref type;
  std::optional<value> default_value;
  bool deprecated = false;
  std::string deprecation_reason;
};

struct field_info {
  std::string name, description;
  std::vector<arg_info> args;
  type_ref type;
  bool deprecated = false;
  std::string deprecation_reason;
  batch_resolver resolve;   // empty: the parent's member of this name
  bool concurrent = false;  // runs beside its siblings on a thread of its own
  subscribe_fn subscribe;   // subscription root fields
  const arg_info* arg(std::string_view n) const;
};

struct enum_value_info {
  std::string name, description;
  bool deprecated = false;
  std::string deprecation_reason;
};

struct type_info {
  type_def::kind k = type_def::kind::object;
  std::string name, description, specified_by;
  std::vector<field_info> fields;       // object, interface
  std::vector<std::string> interfaces;  // object, interface
  std::vector<std::string> possible;    // union members; an interface's implementations
  std::vector<enum_value_info> values;  // enum
  std::vector<arg_info> input_fields;   // input
  const field_info* field(std::string_view n) const;
  field_info* field(std::string_view n);
  const arg_info* input_field(std::string_view n) const;
  bool has_value(std::string_view n) const;
  bool composite() const {
    return k == type_def::kind::object || k == type_def::kind::interface || k == type_def::kind::union_;
  }
  bool abstract() const { return k == type_def::kind::interface || k == type_def::kind::union_; }
  bool leaf() const { return k == type_def::kind::scalar || k == type_def::kind::enum_; }
  bool input() const { return k == type_def::kind::scalar || k == type_def::kind::enum_ || k == type_def::kind::input; }
  std::unordered_map<std::string, size_t> field_index_;
};

struct directive_info {
  std::string name, description;
  std::vector<arg_info> args;
  bool repeatable = false;
  std::vector<std::string> locations;
  const arg_info* arg(std::string_view n) const;
};

class schema {
 public:
  // The SDL plus the built-ins; errors name the offending definition.
  static result<std::shared_ptr<schema>> from_sdl(std::string_view sdl);

  const type_info* type(std::string_view name) const;
  const directive_info* directive(std::string_view name) const;
  const std::vector<std::string>& type_names() const { return order_; }
  const std::vector<directive_info>& directives() const { return directives_; }
  std::string description;
  std::string query_type = "Query", mutation_type, subscription_type;
  const type_info* root(std::string_view op) const;

  // Whether an object type is one of an abstract type's possible types.
  bool possible(const type_info& abstract_or_object, std::string_view object_type) const;
  // Do two composite types share a possible object type?
  bool overlap(const type_info& a, const type_info& b) const;

  // Resolvers. Fails (internal) when the field does not exist: a typo in wiring.
  status resolve(std::string_view type, std::string_view field, batch_resolver fn, bool concurrent = false);
  status subscribe(std::string_view field, subscribe_fn fn);
  // The field's resolver (or, for a subscription root field, its event source) as
  // the caller wants to see it; fails (internal) for an unknown field.
  field_info* mutable_field(std::string_view type, std::string_view field);

 private:
  schema() = default;
  status build(const document& doc);
  void install_introspection();
  std::unordered_map<std::string, type_info> types_;
  std::vector<std::string> order_;
  std::vector<directive_info> directives_;
};

// Per-parent helper for the common case: a plain function of one parent.
batch_resolver each(std::function<field_value(const json& parent, const json& args, context& ctx)> fn);

}  // namespace cg::gql
