#pragma once
// Request preparation (parse, validate, choose the operation, coerce variables) and
// execution (spec section 6): resolvers run level by level, batched over every
// object of a level, concurrent resolvers beside their siblings; field errors become
// nulls with an error (message, place, path) and propagate to the nearest nullable
// field. Subscriptions map each source event through the same completion.
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "schema/graphql/parser.hpp"
#include "schema/graphql/schema.hpp"

namespace cg::gql {

struct request {
  std::string query;
  json variables = json::object();
  std::string operation_name;
};

struct prepared {
  std::shared_ptr<const document> doc;
  const operation* op = nullptr;
  json variables = json::object();  // coerced
  std::vector<gql_error> errors;    // non-empty: answer with these and no data
  bool syntax_error = false;
};

struct exec_limits {
  parse_limits parse;
  size_t max_depth = 32;  // selection nesting, fragments followed
};

prepared prepare(const schema& s, const request& req, const exec_limits& limits = {});

// A query or mutation: {"data": ..., "errors": [...]} (errors only when there are some).
json execute(const schema& s, const prepared& p, context& ctx);

// A subscription: starts the root field's source stream; every event is completed
// through the selection and handed to on_next as a response ({"data": ...}) with the
// source event's coalescing key; on_end gets a stream error ("" for a normal end).
// Errors that stop it from starting come back as the alternative.
std::variant<std::unique_ptr<stream_handle>, std::vector<gql_error>> subscribe(const schema& s,
                                                                               std::shared_ptr<const prepared> p,
                                                                               context& ctx, emit_fn on_next,
                                                                               std::function<void(std::string)> on_end);

json errors_json(const std::vector<gql_error>& errors);

// @skip and @include: whether a selection with these directives is executed.
bool directives_include(const std::vector<directive>& ds, const json& variables);
json error_json(const gql_error& e);

}  // namespace cg::gql
