#pragma once
// The network service: Beast HTTP/1.1 and WebSocket on an Asio thread pool, the
// engine behind it. Plain header (no Beast): cli/ starts it, tests embed it.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/app/auth.hpp"
#include "schema/result.hpp"

namespace cg {
class engine;
}

namespace cg::net {

struct server_limits {
  size_t body_bytes = 8u << 20;     // request bodies (413 above)
  size_t header_bytes = 16u << 10;  // request line + headers (431 above)
  // To receive a whole request, and the longest a keep-alive connection may sit idle
  // between requests; also covers the TLS handshake and each response write.
  std::chrono::milliseconds read_timeout{30000};
  size_t ws_message_bytes = 1u << 20;                 // largest WebSocket message accepted
  size_t ws_queue_bytes = 4u << 20;                   // per-connection outbound bound (slow-consumer policy)
  std::chrono::milliseconds ws_ping_interval{20000};  // keepalive ping when idle this long
  std::chrono::milliseconds ws_idle_timeout{60000};   // no pong / traffic: close
  std::chrono::milliseconds ws_slow_close{10000};     // queue over the bound this long: close 1008
  std::chrono::milliseconds ws_init_timeout{10000};   // graphql-transport-ws: no connection_init: 4408
  size_t ws_send_buffer = 0;  // SO_SNDBUF of WebSocket connections (0: the kernel's autotuning, up to tcp_wmem)
  size_t max_connections = 20000;
  // Requests and operations queued for or running on the worker pool; over it: 503
  // with Retry-After (a GraphQL error over WebSocket). 0: no bound.
  size_t worker_queue = 256;
  std::chrono::milliseconds drain_timeout{10000};  // graceful shutdown: wait for in-flight requests
};

// What one GraphQL operation may cost (docs/API.md, "Query cost and budgets").
struct graphql_limits {
  uint64_t max_cost = 250000;                // estimated before execution; 0: no limit
  std::chrono::milliseconds timeout{30000};  // wall time per operation (per event of a subscription)
  size_t max_memory = 256u << 20;            // estimated bytes of its values; 0: no limit
};

struct rate_options {
  double per_key_rps = 100, per_key_burst = 200;  // per API key / JWT subject; 0: off
  double per_ip_rps = 200, per_ip_burst = 400;    // per client address; 0: off
};

struct server_options {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;                     // 0: any free port (see server::port())
  unsigned io_threads = 2;                  // Asio threads (network)
  unsigned worker_threads = 4;              // blocking handlers (search, parse, graph walks)
  std::string tls_cert_file, tls_key_file;  // both set: HTTPS and WSS only
  auth_options auth;
  std::vector<std::string> cors_origins;  // allowed browser origins; "*" for any
  // Host names the server answers to (DNS rebinding): besides IP literals and
  // "localhost". Empty: on a loopback address only those; elsewhere any name.
  std::vector<std::string> allowed_hosts;
  // Where projects may live. Empty: anywhere with auth on; with --no-auth only under
  // the roots of registered projects (a web page cannot make the server read /etc).
  std::vector<std::string> allowed_roots;
  // Tokens in ?access_token= (WebSocket upgrades from browsers that cannot set
  // headers); off by default: URLs end up in logs and histories. graphql-transport-ws
  // carries its token in connection_init instead.
  bool query_token = false;
  graphql_limits graphql;
  std::string audit_log;  // JSON lines of every write; "" : none
  server_limits limits;
  rate_options rate;
  size_t cache_bytes = 64u << 20;  // query-result cache; 0: off
  std::chrono::milliseconds cache_ttl{30000};
  std::string data_dir;    // for /health and the key file
  std::string backup_dir;  // where POST /api/v1/admin/backups writes (default <data_dir>/backups)
  std::string assets_dir;  // node_modules with graphiql, react, react-dom; "": the build's
  std::string web_dir;     // the dashboard's built files (index.html, app.js, app.css); "": the build's
  // Index settings applied to projects indexed through the API.
  uint64_t max_file_bytes = 2u << 20;
  bool vectors = true;
  // Watch mode: re-index saved files of every project the server indexes (inotify).
  bool watch = true;
  std::chrono::microseconds watch_quiet{2000}, watch_max_delay{50000};
  bool watch_settled = true;  // see watch_options::settled_flush
  // Search defaults (from [search]).
  std::string fusion = "convex";
  size_t rrf_k = 60;
  double bm25_weight = 1.0, vector_weight = 0.2;
};

class server {
 public:
  // Binds, listens and starts the threads. Refuses no-auth mode off loopback.
  static result<std::unique_ptr<server>> start(engine& eng, server_options opts);
  ~server();  // shutdown() if still running
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  uint16_t port() const;
  std::string base_url() const;  // http(s)://address:port
  bool tls() const;

  // Graceful: stop accepting, answer new requests on open connections with 503,
  // wait for in-flight requests (up to the drain timeout), close WebSockets with
  // 1001, stop the threads, flush the store. Idempotent; safe from any thread
  // except the server's own.
  void shutdown();
  // Blocks until shutdown() has finished (from another thread or a signal handler).
  void wait();

  // Memory given back after a burst (net/transport/memory_trim.hpp): the network threads do their
  // part themselves; memory of threads that have ended (abandoned by the allocator) is
  // reclaimed by the process's main thread only, so the thread that runs the server
  // (`codegraph serve` waiting for a signal) asks this now and then and, when it says
  // so, calls release_free_memory().
  bool main_thread_trim_due();

  // Indexes a project (registers it first); the task id. For `serve --project`.
  result<uint64_t> index_project(const std::string& name, const std::string& root);
  // Follows a git branch (empty: HEAD's) into a project. For `serve --follow`.
  status follow_project(const std::string& name, const std::string& repo, const std::string& branch);

  struct impl;

 private:
  explicit server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace cg::net
