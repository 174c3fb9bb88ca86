#include "net/app/app.hpp"
#include "net/graphql/gql_service.hpp"

#include "actors/indexer/watch_scheduler.hpp"
#include "actors/read_api.hpp"
#include "net/mcp/mcp_sessions.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace cg::net {
namespace {

bool sane_request_id(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

api_response ok_json(const std::string& body, int status) { return json_response(status, body); }

api_response error_of(const api_request& req, const error& e) {
  int status = 500;
  switch (e.code) {
    case errc::invalid_argument: status = 400; break;
    case errc::not_found: status = 404; break;
    case errc::permission_denied: status = 403; break;
    case errc::conflict:
    case errc::cancelled: status = 409; break;
    case errc::too_large: status = 413; break;
    case errc::unsupported: status = 415; break;
    case errc::timeout: status = 504; break;
    case errc::upstream: status = 502; break;
    case errc::overloaded: return overloaded_response(req, e.message);
    default: status = 500;
  }
  return error_response(status, to_string(e.code), e.message, req.request_id);
}

api_response overloaded_response(const api_request& req, std::string_view message) {
  auto res = error_response(503, "overloaded", message, req.request_id);
  res.headers.emplace_back("Retry-After", "1");
  return res;
}

api_response bad_request(const api_request& req, std::string_view message) {
  return error_response(400, "invalid_argument", message, req.request_id);
}

std::string stream_format(const api_request& req) {
  auto s = req.query_value("stream");
  if (s == "ndjson" || s == "sse") return s;
  auto accept = req.header("accept");
  if (accept.find("text/event-stream") != std::string::npos) return "sse";
  if (accept.find("application/x-ndjson") != std::string::npos) return "ndjson";
  return "";
}

app::app(engine& eng, const server_options& opts)
    : eng_(eng),
      opts_(opts),
      auth_(opts.auth),
      per_key_(opts.rate.per_key_rps, opts.rate.per_key_burst),
      per_ip_(opts.rate.per_ip_rps, opts.rate.per_ip_burst),
      cache_(opts.cache_bytes, opts.cache_ttl),
      reviews_(std::make_unique<review_cache>()),
      mcp_(std::make_unique<mcp::sessions>()),
      guard_(guard_options{opts.address, !opts.tls_cert_file.empty(), opts.allowed_hosts, opts.cors_origins}) {
  unsigned char r[4];
  RAND_bytes(r, sizeof r);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
  id_prefix_ = buf;
  if (!opts_.audit_log.empty())
    if (auto s = audit_.open(opts_.audit_log); !s.ok()) spdlog::error("{}", s.err().message);
  if (opts_.watch) {
    watch_options wo;
    wo.quiet = opts_.watch_quiet;
    wo.settled_flush = opts_.watch_settled;
    wo.max_delay = opts_.watch_max_delay;
    watch_ = std::make_unique<watch_scheduler>(
        wo, [this, life = life_](const std::string& project, const std::string& root, std::vector<std::string> only) {
          std::shared_lock alive(life->mu);
          if (!life->alive || draining_) return;
          auto t = start_index(project, root, std::move(only), true);
          if (!t.ok()) spdlog::warn("watch: cannot re-index {}: {}", project, t.err().message);
        });
  }
  if (opts_.backup_dir.empty()) opts_.backup_dir = eng_.storage().dir() + "/backups";
  register_routes();
  metrics_.add_collector([this](std::vector<metrics::sample>& out) {
    out.push_back(
        {"codegraph_cache_hits_total", "Query-result cache hits.", "counter", {}, static_cast<double>(cache_.hits())});
    out.push_back({"codegraph_cache_misses_total",
                   "Query-result cache misses.",
                   "counter",
                   {},
                   static_cast<double>(cache_.misses())});
    auto total = cache_.hits() + cache_.misses();
    out.push_back({"codegraph_cache_hit_ratio",
                   "Hits over lookups since start.",
                   "gauge",
                   {},
                   total ? static_cast<double>(cache_.hits()) / static_cast<double>(total) : 0.0});
    out.push_back({"codegraph_cache_bytes",
                   "Bytes held by the query-result cache.",
                   "gauge",
                   {},
                   static_cast<double>(cache_.bytes())});
    auto [running, done, failed] = tasks_.count();
    for (auto [state, n] : {std::pair<const char*, size_t>{"running", running}, {"done", done}, {"failed", failed}})
      out.push_back({"codegraph_index_tasks",
                     "Index tasks started by this server, by state.",
                     "gauge",
                     {{"state", state}},
                     static_cast<double>(n)});
    out.push_back({"codegraph_store_bytes",
                   "Bytes of the RocksDB store on disk (SST + WAL).",
                   "gauge",
                   {},
                   static_cast<double>(eng_.storage().disk_bytes())});
    out.push_back({"codegraph_overloaded_total",
                   "Requests and operations refused for overload (503 with Retry-After, or a GraphQL OVERLOADED "
                   "error), by where the bound was: the worker pool's queue or a project's graph writer.",
                   "counter",
                   {{"where", "graph_edits"}},
                   static_cast<double>(eng_.edits_refused())});
    for (const auto& d : eng_.mailbox_depths())
      out.push_back({"codegraph_actor_mailbox_depth",
                     "Messages waiting in an actor's mailbox, as the actor last saw it.",
                     "gauge",
                     {{"actor", d.actor}, {"project", d.project}},
                     static_cast<double>(d.depth)});
    out.push_back({"codegraph_watched_projects",
                   "Project roots watched for saved files.",
                   "gauge",
                   {},
                   static_cast<double>(watched_projects())});
    if (graphql_) {
      out.push_back({"codegraph_graphql_shared_streams",
                     "Subscription streams shared by identical subscriptions.",
                     "gauge",
                     {},
                     static_cast<double>(graphql_->shared_streams())});
      out.push_back({"codegraph_graphql_operations_running",
                     "GraphQL queries and mutations executing now.",
                     "gauge",
                     {},
                     static_cast<double>(graphql_->operations_running())});
      out.push_back({"codegraph_graphql_subscriptions_total",
                     "GraphQL subscriptions started (every transport).",
                     "counter",
                     {},
                     static_cast<double>(graphql_->subscriptions_started())});
    }
  });
  engine_sub_ = eng_.subscribe("", [this](const event& e) { on_event(e); });
}

void app::stop_listening() {
  {
    std::unique_lock gone(life_->mu);  // waits for engine callbacks running now
    life_->alive = false;
  }
  if (engine_sub_) eng_.unsubscribe(engine_sub_);
  engine_sub_ = 0;
  mcp_->clear();  // their engine subscriptions end
}

app::~app() {
  stop_followers();  // their threads start runs through this app
  {
    std::unique_lock gone(life_->mu);  // waits for engine callbacks running now
    life_->alive = false;
  }
  // Watchers first (their threads call into this app).
  if (watch_) watch_->stop();
  if (engine_sub_) eng_.unsubscribe(engine_sub_);
  mcp_->clear();
}

std::string app::new_request_id() { return id_prefix_ + "-" + std::to_string(next_request_++); }

void app::register_routes() {
  register_misc_routes(*this, router_);
  register_project_routes(*this, router_);
  register_graph_routes(*this, router_);
  register_review_routes(*this, router_);
  register_web_routes(*this, router_);
  register_node_routes(*this, router_);
  register_search_routes(*this, router_);
  register_graphql_routes(*this, router_);
  register_mcp_routes(*this, router_);
  register_admin_routes(*this, router_);
  for (const auto& p : router_.problems()) spdlog::critical("routes: {}", p);
  if (auto st = start_graphql(); !st.ok()) spdlog::error("GraphQL is not available: {}", st.err().message);
}

app::prepared app::prepare(api_request& req) {
  prepared p;
  auto given = req.header("x-request-id");
  req.request_id = sane_request_id(given) ? given : new_request_id();
  p.route_name = "unmatched";
  if (draining_) {
    p.early = error_response(503, "shutting_down", "the server is shutting down", req.request_id);
    p.early->headers.emplace_back("Connection", "close");
    return p;
  }
  auto host = req.header("host");
  if (auto why = guard_.check_host(host)) {
    ++metrics_.forbidden_origin_total;
    p.early = error_response(403, "bad_host", *why, req.request_id);
    return p;
  }
  auto origin = req.header("origin");
  if (req.method == "OPTIONS" && !origin.empty() && !req.header("access-control-request-method").empty()) {
    p.route_name = "preflight";
    if (!guard_.cors_allowed(origin)) {
      p.early = error_response(403, "cors_origin", "origin not allowed: " + origin, req.request_id);
      return p;
    }
    api_response r;
    r.status = 204;
    r.content_type.clear();
    r.headers = {{"Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS"},
                 {"Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id"},
                 {"Access-Control-Max-Age", "600"}};
    p.early = std::move(r);
    return p;
  }
  // Per-address limit before anything else (it also slows down token guessing).
  if (per_ip_.enabled()) {
    if (double wait = per_ip_.take("ip:" + req.remote_ip); wait > 0) {
      ++metrics_.rate_limited_total;
      p.early = error_response(429, "rate_limited", "too many requests from this address", req.request_id);
      p.early->headers.emplace_back("Retry-After", std::to_string(static_cast<int>(std::ceil(wait))));
      return p;
    }
  }
  auto m = router_.match(req);
  if (!m.found) {
    if (m.path_known) {
      p.early = error_response(405, "method_not_allowed", req.method + " is not allowed here", req.request_id);
      p.early->headers.emplace_back("Allow", join(m.allowed, ", "));
    } else {
      p.early = error_response(404, "not_found", "no route for " + req.path, req.request_id);
    }
    return p;
  }
  p.route_name = m.found->pattern;
  if (request_guard::state_changing(req.method)) {
    // Cross-site request forgery: a page elsewhere may send this request (a form, or
    // fetch with a simple content type) without asking first.
    if (auto why = guard_.check_origin(origin, host)) {
      ++metrics_.forbidden_origin_total;
      p.early = error_response(403, "forbidden_origin", *why, req.request_id);
      return p;
    }
    if (!req.body.empty() && !request_guard::json_content_type(req.header("content-type"))) {
      p.early = error_response(415, "unsupported_media_type",
                               "send the body as JSON with Content-Type: application/json", req.request_id);
      return p;
    }
  }
  const auto& rule = rule_of(m.found->op);
  if (rule.need != role::none && !m.found->auth_in_handler) {
    auto who = authenticate_request(req);
    if (!who.ok()) {
      p.early = error_response(401, "unauthenticated", who.err().message, req.request_id);
      p.early->headers.emplace_back("WWW-Authenticate", "Bearer realm=\"codegraph\"");
      return p;
    }
    req.who = *who;
    // A route whose project is not in its path (a task) checks the project in its
    // handler; here only the role.
    auto it = req.params.find("name");
    auto d = authorize(req.who, m.found->op,
                       it != req.params.end() ? std::string_view(it->second) : std::string_view(req.who.project));
    if (!d.allowed) {
      p.early = error_response(d.status, d.status == 401 ? "unauthenticated" : "forbidden", d.message, req.request_id);
      return p;
    }
    if (per_key_.enabled() && req.who.via != "none") {
      if (double wait = per_key_.take(req.who.subject); wait > 0) {
        ++metrics_.rate_limited_total;
        p.early = error_response(429, "rate_limited", "too many requests for this key", req.request_id);
        p.early->headers.emplace_back("Retry-After", std::to_string(static_cast<int>(std::ceil(wait))));
        return p;
      }
    }
  }
  p.r = m.found;
  return p;
}

result<principal> app::authenticate_request(const api_request& req) {
  if (auto who = auth_.local(req.header("authorization"))) return *who;
  if (!opts_.auth.enabled) return principal{"anonymous", role::admin, "", "none"};
  auto token = req.query_value("access_token");
  if (!token.empty() && !opts_.query_token) {
    ++metrics_.auth_failures_total;
    return make_error(errc::invalid_argument,
                      "tokens in the URL (access_token) are off ([server] query_token); send Authorization: Bearer, "
                      "or for graphql-transport-ws the token in connection_init");
  }
  return authenticate(req.header("authorization"), token);
}

api_reply app::invoke(const route& r, api_request& req) {
  try {
    return r.fn(req);
  } catch (const nlohmann::json::exception& e) {
    return bad_request(req, std::string("bad JSON: ") + e.what());
  } catch (const std::exception& e) {
    spdlog::error("request {} {} {}: {}", req.request_id, req.method, req.path, e.what());
    return error_response(500, "internal", "internal error (see the server log)", req.request_id);
  }
}

std::optional<api_reply> app::try_invoke(const route& r, api_request& req) {
  if (!r.try_now) return std::nullopt;
  try {
    return r.try_now(req);
  } catch (const nlohmann::json::exception& e) {
    return bad_request(req, std::string("bad JSON: ") + e.what());
  } catch (const std::exception& e) {
    spdlog::error("request {} {} {}: {}", req.request_id, req.method, req.path, e.what());
    return error_response(500, "internal", "internal error (see the server log)", req.request_id);
  }
}

void app::finish(const api_request& req, const std::string& route_name, int status,
                 std::vector<std::pair<std::string, std::string>>& headers, double seconds) {
  headers.emplace_back("X-Request-Id", req.request_id);
  auto origin = req.header("origin");
  if (!origin.empty() && guard_.cors_allowed(origin)) {
    headers.emplace_back("Access-Control-Allow-Origin", origin);
    headers.emplace_back("Vary", "Origin");
    headers.emplace_back("Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
  }
  metrics_.observe_request(route_name, req.method, status, seconds);
  spdlog::info("request id={} method={} path={} route={} status={} ms={:.3f} ip={} who={}", req.request_id, req.method,
               req.path, route_name, status, seconds * 1e3, req.remote_ip,
               req.who.subject.empty() ? "-" : req.who.subject);
}

result<principal> app::authenticate(std::string_view authorization, std::string_view token) {
  if (auto who = auth_.local(authorization)) return *who;
  if (!opts_.auth.enabled) return principal{"anonymous", role::admin, "", "none"};
  auto who = auth_.authenticate(authorization, token);
  if (!who.ok()) ++metrics_.auth_failures_total;
  return who;
}

status app::start_graphql() {
  auto g = graphql_service::create(*this);
  if (!g.ok()) return g.err();
  graphql_ = std::move(*g);
  return {};
}

app::upgrade_decision app::decide_upgrade(api_request& req) {
  upgrade_decision d;
  auto p = prepare(req);
  if (p.early) {
    d.err = std::move(*p.early);
    return d;
  }
  // Cross-site WebSocket hijacking: a page elsewhere may open a WebSocket to any
  // address (no preflight) and read what comes back.
  if (auto why = guard_.check_origin(req.header("origin"), req.header("host"))) {
    ++metrics_.forbidden_origin_total;
    d.err = error_response(403, "forbidden_origin", *why, req.request_id);
    return d;
  }
  if (req.path == "/graphql") {
    // graphql-transport-ws carries its token in connection_init (browsers cannot set
    // headers on a WebSocket); a token sent with the upgrade is checked now.
    if (!opts_.auth.enabled || !req.header("authorization").empty() || req.has_query("access_token")) {
      auto who = authenticate_request(req);
      if (!who.ok()) {
        d.err = error_response(401, "unauthenticated", who.err().message, req.request_id);
        return d;
      }
      req.who = *who;
      if (auto a = authorize(req.who, operation::graphql); !a.allowed) {
        d.err = error_response(a.status, "forbidden", a.message, req.request_id);
        return d;
      }
    }
  }
  // Offered subprotocols, in the client's order.
  std::vector<std::string> offered;
  {
    auto h = req.header("sec-websocket-protocol");
    size_t i = 0;
    while (i < h.size()) {
      auto c = h.find(',', i);
      auto item = h.substr(i, c == std::string::npos ? std::string::npos : c - i);
      while (!item.empty() && item.front() == ' ') item.erase(item.begin());
      while (!item.empty() && item.back() == ' ') item.pop_back();
      if (!item.empty()) offered.push_back(item);
      if (c == std::string::npos) break;
      i = c + 1;
    }
  }
  std::vector<std::string> supported = req.path == "/graphql" ? std::vector<std::string>{"graphql-transport-ws"}
                                                              : std::vector<std::string>{"codegraph.events.v1"};
  for (const auto& o : offered)
    for (const auto& s : supported)
      if (o == s && d.subprotocol.empty()) d.subprotocol = o;
  if (!offered.empty() && d.subprotocol.empty()) {
    d.err = error_response(400, "subprotocol",
                           "none of the offered subprotocols is supported here (" + join(supported, ", ") + ")",
                           req.request_id);
    return d;
  }
  if (req.path == "/graphql" && d.subprotocol.empty()) {
    d.err = error_response(400, "subprotocol", "GraphQL over WebSocket needs the graphql-transport-ws subprotocol",
                           req.request_id);
    return d;
  }
  d.topics = req.query_values("topics");
  d.ok = true;
  return d;
}

}  // namespace cg::net
