// The GraphQL engine on the CodeGraph schema: lexer, parser, validation, variable
// coercion, the cost estimate and execution (no resolvers: introspection answers,
// other fields are null or errors) under a small time and memory budget. Input: a
// document, optionally followed by a NUL byte and the variables as JSON.
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "schema/client_json.hpp"
#include "schema/graphql/cost.hpp"
#include "schema/graphql/execute.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

std::shared_ptr<cg::gql::schema> load_schema() {
  std::ifstream in(std::string(CODEGRAPH_SOURCE_DIR) + "/schema/codegraph.graphql");
  std::stringstream ss;
  ss << in.rdbuf();
  auto s = cg::gql::schema::from_sdl(ss.str());
  FUZZ_CHECK(s.ok());
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto schema = load_schema();
  std::string_view all(reinterpret_cast<const char*>(data), size);
  auto nul = all.find('\0');
  cg::gql::request req;
  req.query = std::string(all.substr(0, nul));
  if (nul != std::string_view::npos) {
    auto vars = cg::parse_client_ordered_json(all.substr(nul + 1));
    if (vars.ok() && vars->is_object()) req.variables = std::move(*vars);
  }
  auto p = cg::gql::prepare(*schema, req);
  if (!p.errors.empty()) {
    FUZZ_CHECK(!cg::gql::errors_json(p.errors).dump(-1, ' ', false, cg::gql::json::error_handler_t::replace).empty());
    return 0;
  }
  cg::gql::cost_options o;
  o.max_cost = 100000;
  uint64_t cost = 0;
  if (cg::gql::check_cost(*schema, p, o, &cost)) return 0;
  FUZZ_CHECK(cost <= o.max_cost);
  if (p.op->op == "subscription") return 0;
  cg::gql::context ctx;
  ctx.budget = std::make_shared<cg::gql::exec_budget>(std::chrono::milliseconds(200), 16u << 20);
  auto out = cg::gql::execute(*schema, p, ctx);
  FUZZ_CHECK(out.contains("data") || out.contains("errors"));
  (void)out.dump(-1, ' ', false, cg::gql::json::error_handler_t::replace);
  return 0;
}
