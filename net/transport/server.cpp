// The listener, the thread pools, start-up and graceful shutdown.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "net/graphql/gql_service.hpp"
#include "net/transport/beast_impl.hpp"
#include "net/transport/memory_trim.hpp"

namespace cg::net {

namespace {
std::vector<std::unique_ptr<asio::io_context>> make_contexts(unsigned n) {
  std::vector<std::unique_ptr<asio::io_context>> out;
  for (unsigned i = 0; i < n; ++i) out.push_back(std::make_unique<asio::io_context>(1));
  return out;
}
}  // namespace

// The GraphQL service's fan-out lanes hold strands of the io_contexts: they go first.
// (The app itself outlives the contexts, for the handlers their destruction runs.)
// ThreadSanitizer found the strands' mutexes used after their contexts had freed them.
server::impl::~impl() {
  if (application)
    if (auto* g = application->graphql()) g->set_fanout_lanes({}, 1);
}

server::impl::impl(engine& e, server_options o)
    : eng(e),
      opts(std::move(o)),
      contexts(make_contexts(std::max(1u, opts.io_threads))),
      acceptor(*contexts[0]),
      workers(std::max(1u, opts.worker_threads)) {
  for (auto& c : contexts) keep_running.push_back(asio::make_work_guard(*c));
}

void server::impl::request_trim() {
  if (trims_off) return;  // shutting down (sessions end while the contexts go away)
  asio::post(*contexts[0], [this] {
    if (trim_pending || trims_off) return;
    trim_pending = true;
    if (!trim_timer) trim_timer.emplace(*contexts[0]);
    trim_timer->expires_after(std::chrono::milliseconds(200));
    // Twice: the allocator decommits the pages a collection frees only after a delay
    // (mimalloc's decommit_delay), and only when that thread collects again.
    trim_timer->async_wait([this](beast::error_code ec) {
      if (ec) {
        trim_pending = false;
        return;
      }
      ++trims;
      for (auto& c : contexts) asio::post(*c, [] { release_free_memory(); });
      trim_timer->expires_after(std::chrono::milliseconds(1000));
      trim_timer->async_wait([this](beast::error_code ec2) {
        trim_pending = false;
        if (ec2) return;
        for (auto& c : contexts) asio::post(*c, [] { release_free_memory(); });
        main_trim_due = true;
      });
    });
  });
}

int server::impl::next_loop() { return static_cast<int>(next_context++ % contexts.size()); }

uint64_t server::impl::add_session(std::weak_ptr<session_base> s) {
  std::lock_guard lock(sessions_mu);
  uint64_t id = next_session++;
  sessions.emplace(id, std::move(s));
  return id;
}

void server::impl::remove_session(uint64_t id) {
  std::lock_guard lock(sessions_mu);
  sessions.erase(id);
}

void server::impl::do_accept() {
  int loop = next_loop();
  acceptor.async_accept(
      contexts[static_cast<size_t>(loop)]->get_executor(),
      [this, loop](beast::error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket), loop); });
}

void server::impl::on_accept(beast::error_code ec, tcp::socket socket, int loop) {
  if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
  if (!ec) {
    if (static_cast<size_t>(connections.load()) >= opts.limits.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);  // over the connection limit: refuse at once
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      start_http_session(*this, std::move(socket), loop);
    }
  } else if (ec == asio::error::no_descriptors) {
    spdlog::warn("accept: out of file descriptors");
  }
  do_accept();
}

namespace {
bool loopback(const std::string& address) {
  beast::error_code ec;
  auto a = asio::ip::make_address(address, ec);
  return !ec && a.is_loopback();
}
}  // namespace

server::server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

server::~server() { shutdown(); }

result<std::unique_ptr<server>> server::start(engine& eng, server_options opts) {
  if (!opts.auth.enabled && !loopback(opts.address))
    return make_error(errc::invalid_argument,
                      "no-auth mode is only allowed on a loopback address (127.0.0.1 or ::1), not " + opts.address);
  if (opts.auth.keys_file.empty()) opts.auth.keys_file = opts.data_dir + "/api_keys.json";
  release_memory_promptly();  // net/transport/memory_trim.hpp
  auto p = std::make_unique<impl>(eng, opts);
  if (!opts.tls_cert_file.empty() || !opts.tls_key_file.empty()) {
    if (opts.tls_cert_file.empty() || opts.tls_key_file.empty())
      return make_error(errc::invalid_argument, "TLS needs both a certificate and a key file");
    try {  // Asio reports by exception: it stays here
      p->ssl.emplace(asio::ssl::context::tls_server);
      p->ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      p->ssl->use_certificate_chain_file(opts.tls_cert_file);
      p->ssl->use_private_key_file(opts.tls_key_file, asio::ssl::context::pem);
    } catch (const std::exception& e) {
      return make_error(errc::invalid_argument, "TLS certificate or key: " + std::string(e.what()));
    }
  }
  beast::error_code ec;
  auto addr = asio::ip::make_address(opts.address, ec);
  if (ec) return make_error(errc::invalid_argument, "listen address " + opts.address + ": " + ec.message());
  tcp::endpoint ep(addr, opts.port);
  p->acceptor.open(ep.protocol(), ec);
  if (!ec) p->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) p->acceptor.bind(ep, ec);
  if (!ec) p->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error(errc::io_error,
                      "cannot listen on " + opts.address + ":" + std::to_string(opts.port) + ": " + ec.message());
  p->bound_port = p->acceptor.local_endpoint().port();
  p->application = std::make_unique<app>(eng, p->opts);
  if (auto problems = p->application->route_problems(); !problems.empty())
    return make_error(errc::internal, "the route table and its handlers disagree: " + problems.front());
  p->application->stats().add_collector([raw = p.get()](std::vector<metrics::sample>& out) {
    out.push_back({"codegraph_connections",
                   "Open connections (HTTP and WebSocket).",
                   "gauge",
                   {},
                   static_cast<double>(raw->connections.load())});
    out.push_back({"codegraph_memory_trims_total",
                   "Times the network threads gave freed memory back after a connection with a big queue.",
                   "counter",
                   {},
                   static_cast<double>(raw->trims.load())});
  });
  p->do_accept();
  unsigned n = std::max(1u, opts.io_threads);
  if (auto* g = p->application->graphql()) {
    // Subscription fan-out runs on the network threads: one strand per lane.
    std::vector<graphql_service::lane> lanes;
    for (unsigned i = 0; i < 2 * n; ++i)
      lanes.push_back([strand = asio::make_strand(*p->contexts[i % n])](std::function<void()> fn) {
        asio::post(strand, std::move(fn));
      });
    g->set_fanout_lanes(std::move(lanes), n);
  }
  for (unsigned i = 0; i < n; ++i) p->io_threads.emplace_back([c = p->contexts[i].get()] { c->run(); });
  // Ready once every project's search index is loaded.
  asio::post(p->workers, [raw = p.get()] {
    auto projects = raw->eng.storage().projects();
    if (projects.ok())
      for (const auto& [name, id] : *projects) {
        auto st = raw->eng.vectors_stats(name);
        if (!st.ok()) spdlog::warn("project {}: search index not loaded: {}", name, st.err().message);
      }
    raw->application->set_ready(true);
  });
  spdlog::info("listening on {}://{}:{}", p->ssl ? "https" : "http", opts.address, p->bound_port);
  return std::unique_ptr<server>(new server(std::move(p)));
}

uint16_t server::port() const { return impl_->bound_port; }
bool server::main_thread_trim_due() { return impl_->main_trim_due.exchange(false); }
bool server::tls() const { return impl_->ssl.has_value(); }

std::string server::base_url() const {
  auto host = impl_->opts.address;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(tls() ? "https" : "http") + "://" + host + ":" + std::to_string(port());
}

result<uint64_t> server::index_project(const std::string& name, const std::string& root) {
  return impl_->application->start_index(name, root, {}, true);  // the operator's own root
}

status server::follow_project(const std::string& name, const std::string& repo, const std::string& branch) {
  return impl_->application->follow(name, repo, branch);
}

void server::shutdown() {
  std::call_once(impl_->shutdown_once, [this] {
    auto& p = *impl_;
    spdlog::info("shutting down: draining {} in-flight requests", p.in_flight.load());
    p.application->set_draining();
    std::promise<void> closed;
    asio::post(*p.contexts[0], [&p, &closed] {
      beast::error_code ec;
      p.acceptor.close(ec);
      closed.set_value();
    });
    closed.get_future().wait();
    auto deadline = std::chrono::steady_clock::now() + p.opts.limits.drain_timeout;
    while (p.in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    // Whatever still runs is stopped: GraphQL operations (HTTP, WebSocket, SSE) watch
    // this flag and end within a few milliseconds with SHUTTING_DOWN, so the worker
    // pool can be joined below (a runaway operation once kept SIGTERM from working).
    p.application->set_aborting();
    if (p.in_flight.load() > 0) {
      spdlog::warn("{} requests still in flight after the drain timeout: stopping them", p.in_flight.load());
      auto stop_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      while (p.in_flight.load() > 0 && std::chrono::steady_clock::now() < stop_deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::vector<std::shared_ptr<session_base>> open;
    {
      std::lock_guard lock(p.sessions_mu);
      for (auto& [id, w] : p.sessions)
        if (auto s = w.lock()) open.push_back(std::move(s));
    }
    for (auto& s : open) s->close_now();
    open.clear();
    // Let the close frames and TLS shutdowns go out.
    auto close_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (p.connections.load() > 0 && std::chrono::steady_clock::now() < close_deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    {
      // No more memory trims (their timer would keep contexts[0] running).
      std::promise<void> stopped;
      asio::post(*p.contexts[0], [&p, &stopped] {
        p.trims_off = true;
        if (p.trim_timer) p.trim_timer->cancel();
        stopped.set_value();
      });
      stopped.get_future().wait();
    }
    p.keep_running.clear();
    for (auto& c : p.contexts) c->stop();
    for (auto& t : p.io_threads) t.join();
    p.workers.join();
    // The app stays until the io_contexts are gone (~impl): their destructors end the
    // sessions whose handlers were still queued, and those sessions detach from it.
    // From here on it hears nothing from the engine.
    p.application->stop_listening();
    if (auto s = p.eng.storage().flush(); !s.ok()) spdlog::error("flush at shutdown: {}", s.err().message);
    spdlog::info("shut down");
    {
      std::lock_guard lock(p.done_mu);
      p.done = true;
    }
    p.done_cv.notify_all();
  });
}

void server::wait() {
  std::unique_lock lock(impl_->done_mu);
  impl_->done_cv.wait(lock, [this] { return impl_->done; });
}

}  // namespace cg::net
