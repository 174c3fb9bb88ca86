#pragma once
// The server's application layer, plain C++ (no Beast): the route table and its
// handlers, authentication, roles and project scopes, rate limits, CORS, the result
// cache, the task registry, the audit log and the event hub that fans engine events
// out to WebSocket and streaming clients. Sessions (net/transport/http_session.cpp) only move
// bytes: they call prepare(), then invoke() inline or on the worker pool, then finish().
#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "actors/engine.hpp"
#include "actors/parser/parse_types.hpp"
#include "net/app/audit_log.hpp"
#include "net/app/auth.hpp"
#include "net/app/event_hub.hpp"
#include "net/app/metrics.hpp"
#include "net/app/policy.hpp"
#include "net/app/rate_limit.hpp"
#include "net/app/request_guard.hpp"
#include "net/app/result_cache.hpp"
#include "net/app/router.hpp"
#include "net/app/task_registry.hpp"
#include "net/transport/server.hpp"

namespace cg::mcp {
class sessions;
}
namespace cg {
class watch_scheduler;
class review_cache;
}  // namespace cg

namespace cg::net {

class graphql_service;

class app {
 public:
  app(engine& eng, const server_options& opts);
  ~app();

  struct prepared {
    const route* r = nullptr;
    std::optional<api_response> early;  // answer now (errors, preflight, 503 while draining)
    std::string route_name;             // for metrics: the pattern, or "unmatched"
  };
  prepared prepare(api_request& req);
  // Runs a route's handler; exceptions and errors become the JSON error shape.
  api_reply invoke(const route& r, api_request& req);
  // r.try_now, guarded as invoke() is; nullopt when the route has none or it declined.
  std::optional<api_reply> try_invoke(const route& r, api_request& req);
  // Adds CORS and request-id headers, records metrics and the access log line.
  void finish(const api_request& req, const std::string& route_name, int status,
              std::vector<std::pair<std::string, std::string>>& headers, double seconds);

  // WebSocket upgrades: the path's subprotocol, auth and scope. On failure `err` is
  // the HTTP answer to send instead of the upgrade.
  struct upgrade_decision {
    bool ok = false;
    std::string subprotocol;          // chosen from the client's offer ("" : none)
    std::vector<std::string> topics;  // initial subscriptions (?topics=)
    api_response err;
  };
  upgrade_decision decide_upgrade(api_request& req);

  // The event hub: /ws clients and the listeners of engine events (event_hub.hpp).
  event_hub& events() { return hub_; }

  // A principal from an Authorization value ("Bearer ...") or a bare token; in
  // no-auth mode, the anonymous admin.
  result<principal> authenticate(std::string_view authorization, std::string_view token = {});
  // A request's principal: its Authorization header, or ?access_token= when
  // [server] query_token allows it; in no-auth mode, the anonymous admin.
  result<principal> authenticate_request(const api_request& req);

  // GraphQL (null until start_graphql succeeded).
  graphql_service* graphql() { return graphql_.get(); }
  status start_graphql();

  // Route declarations and handlers that do not match (net/app/routes.cpp): the server
  // refuses to start with any.
  std::vector<std::string> route_problems() const { return router_.problems(); }
  std::string new_request_id();
  metrics& stats() { return metrics_; }
  const request_guard& guard() const { return guard_; }
  engine& eng() { return eng_; }
  const server_options& options() const { return opts_; }
  result_cache& cache() { return cache_; }
  // Review reports (REST and GraphQL), kept until a new version or a write.
  review_cache& reviews() { return *reviews_; }
  void set_draining() { draining_ = true; }
  // Shutdown: no more engine events or task callbacks reach this app (it may live on
  // a little while its last sessions end).
  void stop_listening();
  // Shutdown past its drain timeout: operations still running stop (their budgets
  // watch this flag).
  void set_aborting() { aborting_ = true; }
  const std::atomic<bool>& aborting() const { return aborting_; }
  void set_ready(bool r) { ready_ = r; }
  bool ready() const { return ready_; }
  bool draining() const { return draining_; }

  // Projects and tasks (used by handlers and by serve --project).
  // only: watch mode's changed files (empty: the whole tree). Starts watching the
  // project's root when watch mode is on.
  // trusted: the root comes from the operator (serve --project-root, the config) or
  // is the project's registered root, so the allowed-roots check is skipped.
  // walk: the local CLI's own walk settings (its flags and [index]); else the server's.
  result<uint64_t> start_index(const std::string& project, const std::string& root, std::vector<std::string> only = {},
                               bool trusted = false, const walk_options* walk = nullptr);
  // A second work tree of `over`'s repository, at root, laid over it (engine::lay_over:
  // the nearest commit of its HEAD's history `over` holds) and indexed as a layer of its
  // differences; watch mode keeps it live like any project. The task and the layer.
  result<std::pair<uint64_t, layer_info>> start_layer(const std::string& project, const std::string& root,
                                                      const std::string& over, bool trusted = false,
                                                      const walk_options* walk = nullptr);
  void unwatch(const std::string& project);
  // Whether watch mode re-indexes the project's saved files.
  bool watching(const std::string& project);
  // Saved files watch mode has gathered for the project's next run.
  std::vector<std::string> pending_files(const std::string& project);
  // MCP sessions of /mcp (net/mcp/mcp_sessions.hpp).
  mcp::sessions& mcp_sessions() { return *mcp_; }
  // Follow mode (net/app/app_follow.cpp): the branch's new commits (empty: HEAD's
  // branch) indexed as versions as they arrive, each as a task, then the work tree laid
  // over the head (and kept there by watch mode). The repository is the operator's.
  status follow(const std::string& project, const std::string& repo, const std::string& branch);
  size_t watched_projects();
  std::optional<task_info> task(uint64_t id);
  std::vector<task_info> tasks();
  // A stream that gets this task's progress events (and the summary, then closes).
  void watch_task(uint64_t id, std::shared_ptr<stream_sink> sink, bool sse);
  // Resolves a path inside an allowed root; invalid_argument for anything outside.
  // Allowed: [server] allowed_roots; when empty, anywhere with auth on, and with
  // --no-auth only under the roots of registered projects.
  result<std::string> check_root(const std::string& path) const;
  std::vector<std::string> registered_roots() const;
  void audit(const api_request& req, std::string_view action, const std::string& detail);

 private:
  void register_routes();
  void on_event(const event& e);
  result<std::string> trusted_root(const std::string& path) const;
  // An index run of a built request (the rest of start_index); then: told when it ends.
  result<uint64_t> start_run(index_request req, std::function<void(const index_summary&)> then = {});
  // For followers: waits until no run of the project is going, runs req, waits for its end.
  index_summary run_to_end(index_request req, std::atomic<uint64_t>& task);
  void stop_followers();
  struct follower_entry;
  std::mutex follow_mu_;
  std::vector<std::shared_ptr<follower_entry>> followers_;
  std::atomic<bool> followers_stopped_{false};

  // Callbacks the engine may run after this app is destroyed check this first.
  struct lifetime {
    std::shared_mutex mu;
    bool alive = true;
  };
  std::shared_ptr<lifetime> life_ = std::make_shared<lifetime>();

  engine& eng_;
  server_options opts_;
  std::unique_ptr<graphql_service> graphql_;
  router router_;
  authenticator auth_;
  rate_limiter per_key_, per_ip_;
  metrics metrics_;
  result_cache cache_;
  std::unique_ptr<review_cache> reviews_;
  std::unique_ptr<mcp::sessions> mcp_;
  request_guard guard_;
  std::atomic<bool> draining_{false};
  std::atomic<bool> aborting_{false};
  std::atomic<bool> ready_{false};
  std::atomic<uint64_t> next_request_{1};
  std::string id_prefix_;
  uint64_t engine_sub_ = 0;

  audit_log audit_;
  task_registry tasks_;
  // Held from an index run's start until watch mode has seen it start: the run's
  // graph_done callback takes it before telling watch mode the run ended.
  std::mutex start_mu_;

  // Watch mode (null when off): a watcher per project root, one run at a time.
  std::unique_ptr<watch_scheduler> watch_;

  event_hub hub_;

  friend void register_project_routes(app&, router&);
  friend void register_graph_routes(app&, router&);
  friend void register_review_routes(app&, router&);
  friend void register_web_routes(app&, router&);
  friend void register_node_routes(app&, router&);
  friend void register_search_routes(app&, router&);
  friend void register_misc_routes(app&, router&);
  friend void register_admin_routes(app&, router&);
  friend void register_graphql_routes(app&, router&);
  friend void register_mcp_routes(app&, router&);
};

// Route groups (net/api_*.cpp).
void register_project_routes(app& a, router& r);
void register_graph_routes(app& a, router& r);
void register_review_routes(app& a, router& r);
void register_web_routes(app& a, router& r);
void register_node_routes(app& a, router& r);
void register_search_routes(app& a, router& r);
void register_misc_routes(app& a, router& r);
void register_admin_routes(app& a, router& r);
void register_graphql_routes(app& a, router& r);
void register_mcp_routes(app& a, router& r);

// POST /parse and GraphQL parseFile: a snippet ({source, language|path}) or a file of
// a project ({project, path}); unsupported when it cannot be parsed (binary, ...).
result<parse_outcome> parse_for_api(app& a, const principal& who, const nlohmann::json& body);

// A project name: 1-64 letters, digits, '.', '-' or '_'.
bool valid_project_name(std::string_view s);

// Helpers for handlers.
api_response error_of(const api_request& req, const error& e);  // maps errc to a status
api_response bad_request(const api_request& req, std::string_view message);
// 503 with Retry-After: too much queued (the worker pool, a graph writer's edits).
api_response overloaded_response(const api_request& req, std::string_view message);
api_response ok_json(const std::string& body, int status = 200);
// "ndjson", "sse" or "" from ?stream= or the Accept header.
std::string stream_format(const api_request& req);

}  // namespace cg::net
