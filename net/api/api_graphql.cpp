// GraphQL over HTTP: POST and GET /graphql (JSON), and subscriptions (or any
// operation) as Server-Sent Events in graphql-sse's distinct-connections mode when
// the client accepts text/event-stream. WebSocket upgrades of /graphql go to the
// WebSocket session (net/transport/ws_session.cpp).
#include <cstdio>
#include <mutex>
#include <optional>

#include <nlohmann/json.hpp>

#include "net/app/app.hpp"
#include "net/graphql/gql_service.hpp"
#include "schema/client_json.hpp"

namespace cg::net {
namespace {

using json = nlohmann::json;

// An operation refused as a whole for overload: an OVERLOADED error (a graph writer's
// queue was full) and no field answered. One with some fields done stays a 200: the
// client must not retry what was applied.
bool overloaded(const gql::json& body) {
  if (!body.contains("errors")) return false;
  if (body.contains("data") && body["data"].is_object())
    for (const auto& [k, v] : body["data"].items())
      if (!v.is_null()) return false;
  for (const auto& e : body["errors"])
    if (e.contains("extensions") && e["extensions"].value("code", "") == "OVERLOADED") return true;
  return false;
}

bool wants_sse(const api_request& req) { return req.header("accept").find("text/event-stream") != std::string::npos; }

api_reply answer(app& a, api_request& req, const gql::request& gr, bool read_only) {
  auto* g = a.graphql();
  if (!g) return error_response(503, "unavailable", "GraphQL is not available", req.request_id);
  if (wants_sse(req)) {
    stream_reply s;
    s.content_type = "text/event-stream";
    s.headers = {{"Cache-Control", "no-cache"}};
    s.produce = [&a, gr, origin = req](std::shared_ptr<stream_sink> sink) {
      struct holder {
        std::mutex mu;
        std::unique_ptr<gql::stream_handle> h;
        bool ended = false;
      };
      auto hold = std::make_shared<holder>();
      auto on_next = [sink](graphql_service::payload_ptr payload, const std::string& coalesce) {
        sink->write_keyed(sse_frame("next", *payload), coalesce);
      };
      auto on_done = [sink, hold](gql::json errors) {
        if (!errors.is_null()) sink->write(sse_frame("next", gql::json{{"errors", errors}}.dump()));
        sink->write(sse_frame("complete", ""));
        sink->close();
      };
      sink->on_end([hold] {
        std::unique_ptr<gql::stream_handle> h;
        {
          std::lock_guard lock(hold->mu);
          hold->ended = true;
          h = std::move(hold->h);
        }
      });
      auto h = a.graphql()->start(origin, gr, on_next, on_done);
      std::lock_guard lock(hold->mu);
      if (!hold->ended) hold->h = std::move(h);
    };
    return s;
  }
  auto [status, body] = g->execute(req, gr, read_only);
  bool modern = req.header("accept").find("application/graphql-response+json") != std::string::npos;
  api_response res;
  res.content_type = modern ? "application/graphql-response+json; charset=utf-8" : "application/json; charset=utf-8";
  res.status = modern ? status : (status == 400 && body.contains("data") ? 200 : status);
  if (status == 405) res.headers.emplace_back("Allow", "POST");
  if (overloaded(body)) {  // a write refused for a full queue: the client is told when to come back
    res.status = 503;
    res.headers.emplace_back("Retry-After", "1");
  }
  res.body = body.dump();
  return res;
}

api_reply post_graphql(app& a, api_request& req) {
  auto body = parse_client_json(req.body);
  if (!body.ok()) return bad_request(req, body.err().message);
  auto gr = graphql_service::request_from_json(*body);
  if (!gr.ok()) return error_of(req, gr.err());
  return answer(a, req, *gr, false);
}

api_reply get_graphql(app& a, api_request& req) {
  if (!req.has_query("query")) {
    auto res = error_response(426, "upgrade_required",
                              "GET /graphql takes ?query=...; subscriptions use the WebSocket (graphql-transport-ws)",
                              req.request_id);
    res.headers.emplace_back("Upgrade", "websocket");
    return res;
  }
  auto who = a.authenticate(req.header("authorization"), req.query_value("access_token"));
  if (!who.ok()) {
    auto res = error_response(401, "unauthenticated", who.err().message, req.request_id);
    res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"codegraph\"");
    return res;
  }
  req.who = *who;
  if (!req.who.may(role::reader))
    return error_response(403, "forbidden", "GraphQL needs the reader role", req.request_id);
  json j = {{"query", req.query_value("query")}};
  if (req.has_query("variables")) {
    auto v = parse_client_json(req.query_value("variables"));
    if (!v.ok()) return bad_request(req, "variables: " + v.err().message);
    j["variables"] = std::move(*v);
  }
  if (req.has_query("operationName")) j["operationName"] = req.query_value("operationName");
  auto gr = graphql_service::request_from_json(j);
  if (!gr.ok()) return error_of(req, gr.err());
  return answer(a, req, *gr, true);
}

// GraphiQL: our page (web/graphiql.html) and the pinned npm packages' bundles.
struct asset {
  const char* name;
  const char* path;  // under assets_dir, or the page under the source tree
  const char* type;
};
constexpr asset assets[] = {
    {"graphiql.min.js", "graphiql/graphiql.min.js", "application/javascript; charset=utf-8"},
    {"graphiql.min.css", "graphiql/graphiql.min.css", "text/css; charset=utf-8"},
    {"react.production.min.js", "react/umd/react.production.min.js", "application/javascript; charset=utf-8"},
    {"react-dom.production.min.js", "react-dom/umd/react-dom.production.min.js",
     "application/javascript; charset=utf-8"},
};

std::optional<std::string> slurp(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return std::nullopt;
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

api_reply serve_asset(app& a, const api_request& req, std::string_view name) {
  const auto& dir = a.options().assets_dir.empty() ? std::string(CODEGRAPH_ASSETS_DIR) : a.options().assets_dir;
  std::string path, type;
  if (name.empty()) {
    path = a.options().assets_dir.empty() ? std::string(CODEGRAPH_WEB_DIR) + "/graphiql.html"
                                          : a.options().assets_dir + "/../web/graphiql.html";
    type = "text/html; charset=utf-8";
  } else {
    for (const auto& x : assets)
      if (name == x.name) {
        path = dir + "/" + x.path;
        type = x.type;
      }
    if (path.empty()) return error_response(404, "not_found", "no asset " + std::string(name), req.request_id);
  }
  auto body = slurp(path);
  if (!body)
    return error_response(503, "unavailable", "GraphiQL's files are not installed (npm ci; [server] assets_dir)",
                          req.request_id);
  api_response res;
  res.content_type = type;
  res.body = std::move(*body);
  res.headers.emplace_back("Cache-Control", name.empty() ? "no-cache" : "public, max-age=86400");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return res;
}

}  // namespace

void register_graphql_routes(app& a, router& r) {
  r.bind("GET", "/graphiql", [&a](api_request& req) { return serve_asset(a, req, ""); });
  r.bind("GET", "/graphiql/{file}", [&a](api_request& req) { return serve_asset(a, req, req.params.at("file")); });
  r.bind("POST", "/graphql", [&a](api_request& req) { return post_graphql(a, req); });
  // role none: a WebSocket upgrade authenticates in connection_init; a query
  // authenticates in the handler.
  r.bind("GET", "/graphql", [&a](api_request& req) { return get_graphql(a, req); });
}

}  // namespace cg::net
