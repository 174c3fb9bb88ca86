#pragma once
// Internal to net/: the Beast/Asio side of the server. Included only by the .cpp files
// that move bytes (server.cpp, http_session.cpp, ws_session.cpp): keep it out of
// every header others include (compile time).
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "net/app/app.hpp"
#include "net/transport/server.hpp"

namespace cg::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// Every live connection, so that shutdown can close them.
class session_base {
 public:
  virtual ~session_base() = default;
  virtual void close_now() = 0;  // posts the close onto the session's network loop
};

struct server::impl {
  impl(engine& e, server_options o);
  ~impl();
  engine& eng;
  server_options opts;
  std::unique_ptr<app> application;
  // One io_context per network thread, each run by that thread alone (concurrency hint
  // 1): a connection lives on one of them for its whole life, so its handlers never
  // contend for a scheduler or reactor lock and no thread wakes another to help.
  // acceptor and shutdown use contexts[0]; accepted sockets go round robin.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  size_t next_context = 0;  // touched only by the accept handler (contexts[0]'s thread)
  int next_loop();          // the index of the context for the next connection
  std::optional<asio::ssl::context> ssl;
  tcp::acceptor acceptor;
  asio::thread_pool workers;
  std::vector<std::thread> io_threads;
  uint16_t bound_port = 0;

  std::atomic<int64_t> in_flight{0};  // requests between read and the end of their answer
  // Work handed to the worker pool, queued or running (HTTP requests, WebSocket
  // GraphQL operations): past limits.worker_queue new work is refused (503 or a
  // GraphQL error) instead of queuing without bound.
  std::atomic<size_t> worker_load{0};
  bool take_worker_slot() {
    size_t limit = opts.limits.worker_queue;
    if (worker_load.fetch_add(1, std::memory_order_relaxed) < limit || limit == 0) return true;
    worker_load.fetch_sub(1, std::memory_order_relaxed);
    ++application->stats().overloaded_workers_total;
    return false;
  }
  void release_worker_slot() { worker_load.fetch_sub(1, std::memory_order_relaxed); }
  std::atomic<int64_t> connections{0};
  std::mutex sessions_mu;
  std::unordered_map<uint64_t, std::weak_ptr<session_base>> sessions;
  uint64_t next_session = 1;

  std::once_flag shutdown_once;
  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;

  // Memory: after a connection that held 256 KB or more queued ends, every network
  // thread gives its free pages back (net/transport/memory_trim.hpp), once for a burst of such
  // ends (200 ms after the first).
  static constexpr size_t trim_after_bytes = 256u << 10;
  std::optional<asio::steady_timer> trim_timer;  // on contexts[0]
  bool trim_pending = false;                     // contexts[0]'s thread only
  std::atomic<bool> trims_off{false};            // shutting down: no more posts to the contexts
  std::atomic<uint64_t> trims{0};
  std::atomic<bool> main_trim_due{false};  // see server::main_thread_trim_due
  void request_trim();

  uint64_t add_session(std::weak_ptr<session_base> s);
  void remove_session(uint64_t id);
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket, int loop);
};

// Start a connection's HTTP session (TLS handshake first when ssl is set).
void start_http_session(server::impl& srv, tcp::socket socket, int loop);
// Hand an upgraded connection to a WebSocket session.
void start_ws_session(server::impl& srv, plain_stream&& stream, http::request<http::string_body>&& req,
                      app::upgrade_decision&& d, api_request&& ar);
void start_ws_session(server::impl& srv, tls_stream&& stream, http::request<http::string_body>&& req,
                      app::upgrade_decision&& d, api_request&& ar);

}  // namespace cg::net
