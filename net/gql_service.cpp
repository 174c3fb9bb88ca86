#include "net/gql_service.hpp"

#include <spdlog/spdlog.h>

#include "net/app.hpp"

namespace cg::net {

result<std::unique_ptr<graphql_service>> graphql_service::create(app& a) {
  auto s = gql::schema::from_sdl(codegraph_sdl);
  if (!s.ok()) return s.err();
  if (auto st = wire_resolvers(**s); !st.ok()) return st.err();
  std::unique_ptr<graphql_service> svc(new graphql_service(a));
  svc->schema_ = std::move(*s);
  return svc;
}

result<gql::request> graphql_service::request_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return make_error(errc::invalid_argument, "a GraphQL request is a JSON object");
  gql::request r;
  if (!j.contains("query") || !j["query"].is_string())
    return make_error(errc::invalid_argument, "a GraphQL request needs a query string");
  r.query = j["query"].get<std::string>();
  if (j.contains("variables") && !j["variables"].is_null()) {
    if (!j["variables"].is_object()) return make_error(errc::invalid_argument, "variables must be a JSON object");
    r.variables = gql::json::parse(j["variables"].dump());
  }
  if (j.contains("operationName") && !j["operationName"].is_null()) {
    if (!j["operationName"].is_string()) return make_error(errc::invalid_argument, "operationName must be a string");
    r.operation_name = j["operationName"].get<std::string>();
  }
  return r;
}

namespace {
struct owned_ctx {
  gql::context ctx;
  explicit owned_ctx(app& a, const api_request& origin) {
    auto rc = std::make_shared<gql_request_ctx>();
    rc->a = &a;
    rc->who = origin.who;
    rc->origin = origin;
    rc->origin.body.clear();
    ctx.user = rc;
  }
};

// A running operation: the context outlives the stream that refers to it.
struct op_stream : gql::stream_handle {
  std::unique_ptr<owned_ctx> ctx;
  std::unique_ptr<gql::stream_handle> inner;
  ~op_stream() override { inner.reset(); }
};
}  // namespace

std::pair<int, gql::json> graphql_service::execute(const api_request& origin, const gql::request& req, bool read_only) {
  auto p = gql::prepare(*schema_, req);
  if (!p.errors.empty()) {
    gql::context none;
    return {400, gql::execute(*schema_, p, none)};
  }
  if (p.op->op == "subscription")
    return {400, gql::json{{"errors", gql::json::array({{{"message", "Subscriptions need a streaming transport: graphql-transport-ws on /graphql, or Server-Sent Events (Accept: text/event-stream)."}}})}}};
  if (read_only && p.op->op == "mutation")
    return {405, gql::json{{"errors", gql::json::array({{{"message", "Can only perform a mutation operation from a POST request."}}})}}};
  owned_ctx c(a_, origin);
  return {200, gql::execute(*schema_, p, c.ctx)};
}

std::unique_ptr<gql::stream_handle> graphql_service::start(const api_request& origin, const gql::request& req,
                                                           std::function<void(gql::json)> on_next,
                                                           std::function<void(gql::json)> on_done) {
  auto p = std::make_shared<gql::prepared>(gql::prepare(*schema_, req));
  if (!p->errors.empty()) {
    on_done(gql::errors_json(p->errors));
    return nullptr;
  }
  auto st = std::make_unique<op_stream>();
  st->ctx = std::make_unique<owned_ctx>(a_, origin);
  if (p->op->op != "subscription") {
    auto resp = gql::execute(*schema_, *p, st->ctx->ctx);
    on_next(std::move(resp));
    on_done(nullptr);
    return nullptr;
  }
  auto r = gql::subscribe(*schema_, p, st->ctx->ctx, std::move(on_next), [on_done](std::string err) {
    if (err.empty()) on_done(nullptr);
    else on_done(gql::json::array({{{"message", err}}}));
  });
  if (auto* errs = std::get_if<std::vector<gql::gql_error>>(&r)) {
    on_done(gql::errors_json(*errs));
    return nullptr;
  }
  st->inner = std::move(std::get<std::unique_ptr<gql::stream_handle>>(r));
  return st;
}

}  // namespace cg::net
