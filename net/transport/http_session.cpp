// One HTTP/1.1 connection (plain or TLS): read a request, let the app answer it
// (inline for quick routes, on the worker pool otherwise), write the answer, repeat.
// Streamed answers (NDJSON, SSE) go out as chunks from a byte-bounded queue, one
// write outstanding at a time, all on the connection's network loop (one thread, so no strand is needed).
#include <poll.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <deque>

#include "net/app/outbox.hpp"
#include "net/transport/beast_impl.hpp"
#include "net/transport/beast_request.hpp"

namespace cg::net {
namespace {

using clock = std::chrono::steady_clock;

template <class Stream>
class http_session : public session_base, public std::enable_shared_from_this<http_session<Stream>> {
 public:
  template <class... Args>
  http_session(server::impl& srv, Args&&... args) : srv_(srv), stream_(std::forward<Args>(args)...) {}

  ~http_session() override {
    srv_.remove_session(id_);
    --srv_.connections;
  }

  void start(std::string remote_ip, int loop) {
    remote_ip_ = std::move(remote_ip);
    loop_ = loop;
    ++srv_.connections;
    ++srv_.application->stats().http_connections_total;
    id_ = srv_.add_session(this->weak_from_this());
    if constexpr (std::is_same_v<Stream, tls_stream>) {
      beast::get_lowest_layer(stream_).expires_after(srv_.opts.limits.read_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return;  // not TLS, or a failed handshake: drop
        self->do_read();
      });
    } else {
      do_read();
    }
  }

  void close_now() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->busy_) return;  // an answer is on its way; it closes after (draining)
      self->do_close();
    });
  }

  // Streamed bodies: called through the sink from any thread.
  struct sink_state;

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(srv_.opts.limits.body_bytes);
    parser_->header_limit(static_cast<uint32_t>(srv_.opts.limits.header_bytes));
    beast::get_lowest_layer(stream_).expires_after(srv_.opts.limits.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset)
      return do_close();
    if (ec) {
      // Parser errors (Beast's HTTP category) get an answer; transport errors do not.
      if (&ec.category() != &http::make_error_code(http::error::body_limit).category()) return do_close();
      int status = 400;
      std::string code = "bad_request", msg = "malformed HTTP request: " + ec.message();
      if (ec == http::error::body_limit) {
        status = 413;
        code = "too_large";
        msg = "the request body is over the limit of " + std::to_string(srv_.opts.limits.body_bytes) + " bytes";
      } else if (ec == http::error::header_limit) {
        status = 431;
        code = "headers_too_large";
        msg = "the request headers are over the limit of " + std::to_string(srv_.opts.limits.header_bytes) + " bytes";
      }
      api_request ar;
      ar.request_id = srv_.application->new_request_id();
      ar.remote_ip = remote_ip_;
      ar.method = "?";
      ar.path = "?";
      auto res = error_response(status, code, msg, ar.request_id);
      res.headers.emplace_back("Connection", "close");
      busy_ = true;
      ++srv_.in_flight;
      return send(std::move(ar), "malformed", std::move(res), clock::now(), false);
    }
    auto req = parser_->release();
    api_request ar;
    ar.remote_ip = remote_ip_;
    ar.loop = loop_;
    bool target_ok = fill_api_request(req, ar);
    bool keep_alive = req.keep_alive();
    busy_ = true;
    ++srv_.in_flight;
    auto start = clock::now();
    if (!target_ok) {
      ar.request_id = srv_.application->new_request_id();
      return send(std::move(ar), "malformed", bad_request(ar, "bad request target (escapes or form)"), start,
                  keep_alive);
    }
    if (websocket::is_upgrade(req) && (ar.path == "/ws" || ar.path == "/graphql")) {
      auto d = srv_.application->decide_upgrade(ar);
      if (!d.ok) return send(std::move(ar), "upgrade", std::move(d.err), start, false);
      --srv_.in_flight;
      busy_ = false;
      srv_.application->finish(ar, ar.path, 101, d.err.headers, 0);
      start_ws_session(srv_, std::move(stream_), std::move(req), std::move(d), std::move(ar));
      return;  // this session ends; the socket lives on in the WebSocket session
    }
    ar.body = std::move(req.body());
    auto p = srv_.application->prepare(ar);
    if (p.early) return send(std::move(ar), p.route_name, std::move(*p.early), start, keep_alive);
    const route* r = p.r;
    if (!r->blocking) {
      auto reply = srv_.application->invoke(*r, ar);
      return deliver(std::move(ar), p.route_name, std::move(reply), start, keep_alive);
    }
    if (auto now = srv_.application->try_invoke(*r, ar))
      return deliver(std::move(ar), p.route_name, std::move(*now), start, keep_alive);
    if (!srv_.take_worker_slot())
      return send(std::move(ar), p.route_name,
                  overloaded_response(ar, "the server is busy: too many requests are waiting; retry later"), start,
                  keep_alive);
    ar.cancel = std::make_shared<std::atomic<bool>>(false);
    watch_while_running(ar.cancel);
    asio::post(srv_.workers, [self = this->shared_from_this(), ar = std::move(ar), name = p.route_name, r, start,
                              keep_alive]() mutable {
      auto reply = self->srv_.application->invoke(*r, ar);
      self->srv_.release_worker_slot();
      asio::post(self->stream_.get_executor(),
                 [self, ar = std::move(ar), name = std::move(name), reply = std::move(reply), start,
                  keep_alive]() mutable { self->deliver(std::move(ar), name, std::move(reply), start, keep_alive); });
    });
  }

  // A request on the worker pool whose client goes away: the socket is looked at
  // every 100 ms for the peer's shutdown (POLLRDHUP, seen even with the bytes of a
  // next request unread) and the request's cancel flag is set, so long operations
  // (GraphQL) stop instead of computing an answer nobody reads.
  void watch_while_running(std::shared_ptr<std::atomic<bool>> flag) {
    running_ = std::move(flag);
    if (!probe_timer_) probe_timer_.emplace(stream_.get_executor());
    arm_probe();
  }
  void arm_probe() {
    probe_timer_->expires_after(std::chrono::milliseconds(100));
    probe_timer_->async_wait([self = this->shared_from_this(), flag = running_](beast::error_code ec) {
      if (ec || self->running_ != flag) return;
      pollfd pfd{beast::get_lowest_layer(self->stream_).socket().native_handle(), POLLRDHUP, 0};
      if (::poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
        flag->store(true);
        ++self->srv_.application->stats().requests_cancelled_total;
        return;
      }
      self->arm_probe();
    });
  }
  void stop_watching() {
    if (!running_) return;
    running_.reset();
    probe_timer_->cancel();
  }

  void deliver(api_request&& ar, const std::string& route_name, api_reply&& reply, clock::time_point start,
               bool keep_alive) {
    stop_watching();
    if (auto* res = std::get_if<api_response>(&reply))
      return send(std::move(ar), route_name, std::move(*res), start, keep_alive);
    start_stream(std::move(ar), route_name, std::move(std::get<stream_reply>(reply)), start, keep_alive);
  }

  void send(api_request&& ar, const std::string& route_name, api_response&& res, clock::time_point start,
            bool keep_alive) {
    auto secs = std::chrono::duration<double>(clock::now() - start).count();
    srv_.application->finish(ar, route_name, res.status, res.headers, secs);
    // The answer is written as one buffer, head and body, in the form Beast's serializer
    // gives (HTTP/1.1, Content-Length, "Connection: close" only when closing): a plain
    // string is a third of the instructions of Beast's buffer sequences on this path.
    bool close = !keep_alive || srv_.application->draining();
    auto msg = std::make_shared<std::string>();
    msg->reserve(160 + res.body.size() + res.content_type.size());
    *msg += "HTTP/1.1 ";
    *msg += std::to_string(res.status);
    msg->push_back(' ');
    *msg += http::obsolete_reason(static_cast<http::status>(res.status));
    *msg += "\r\nServer: codegraph\r\n";
    if (!res.content_type.empty()) {
      *msg += "Content-Type: ";
      *msg += res.content_type;
      *msg += "\r\n";
    }
    for (auto& [k, v] : res.headers) {
      if (k == "Connection" && v == "close") {
        close = true;
        continue;
      }
      *msg += k;
      *msg += ": ";
      *msg += v;
      *msg += "\r\n";
    }
    if (close) *msg += "Connection: close\r\n";
    *msg += "Content-Length: ";
    *msg += std::to_string(res.body.size());
    *msg += "\r\n\r\n";
    *msg += res.body;
    beast::get_lowest_layer(stream_).expires_after(srv_.opts.limits.read_timeout);
    asio::async_write(stream_, asio::buffer(*msg),
                      [self = this->shared_from_this(), msg, close](beast::error_code ec, size_t) {
                        --self->srv_.in_flight;
                        self->busy_ = false;
                        if (ec || close) return self->do_close();
                        self->do_read();
                      });
  }

  void start_stream(api_request ar, const std::string& route_name, stream_reply s, clock::time_point start,
                    bool keep_alive);

 public:
  // The streaming side (sink methods run here, on the connection's loop).
  void stream_push(std::shared_ptr<std::string> chunk, std::string key = {});
  void stream_end();
  void stream_abort();

 private:
  void write_next_chunk();
  void finish_stream(bool ok);
  void watch_client();
  char probe_[64];

  void do_close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, tls_stream>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ec2;
        beast::get_lowest_layer(self->stream_).socket().close(ec2);
      });
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      stream_.socket().close(ec);
    }
  }

  server::impl& srv_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_ip_;
  uint64_t id_ = 0;
  int loop_ = -1;
  bool busy_ = false, closed_ = false;
  std::optional<asio::steady_timer> probe_timer_;
  std::shared_ptr<std::atomic<bool>> running_;  // the cancel flag of the request on the pool

  // Streaming state (the connection's loop only).
  struct stream_state {
    api_request req;
    std::string route_name;
    clock::time_point start;
    bool keep_alive = false;
    outbox queue;
    size_t peak = 0;  // the most bytes queued (a big stream asks for a memory trim at its end)
    bool writing = false, ending = false, ended = false;
    std::shared_ptr<http::response<http::empty_body>> head;
    std::shared_ptr<http::response_serializer<http::empty_body>> serializer;
    std::shared_ptr<sink_state> sink;
  };
  std::optional<stream_state> st_;
};

// The sink handed to producers: thread-safe, bounded, posts onto the connection's loop.
template <class Stream>
struct http_session<Stream>::sink_state : stream_sink {
  std::weak_ptr<http_session> session;
  std::shared_ptr<http_session> hold;  // keeps the session alive while the stream runs
  asio::any_io_executor exec;
  size_t bound = 0;
  mutable std::mutex mu;
  size_t pending = 0;  // bytes handed over and not yet written
  bool is_open = true;
  std::vector<std::function<void()>> ends;

  bool write(std::string chunk) override { return write_keyed(std::move(chunk), {}); }
  bool write_keyed(std::string chunk, std::string key) override {
    if (chunk.empty()) return open();
    {
      std::lock_guard lock(mu);
      if (!is_open) return false;
      if (pending + chunk.size() > bound) {
        // Slow consumer: the stream is cut (documented in docs/ARCHITECTURE.md).
        is_open = false;
        asio::post(exec, [w = session] {
          if (auto s = w.lock()) s->stream_abort();
        });
        return false;
      }
      pending += chunk.size();
    }
    auto c = std::make_shared<std::string>(std::move(chunk));
    asio::post(exec, [w = session, c, key = std::move(key)]() mutable {
      if (auto s = w.lock()) s->stream_push(c, std::move(key));
    });
    return true;
  }
  void close() override {
    {
      std::lock_guard lock(mu);
      if (!is_open) return;
      is_open = false;
    }
    asio::post(exec, [w = session] {
      if (auto s = w.lock()) s->stream_end();
    });
  }
  bool open() const override {
    std::lock_guard lock(mu);
    return is_open;
  }
  void on_end(std::function<void()> fn) override {
    std::unique_lock lock(mu);
    if (!is_open && ends.empty() && session.expired()) {
      lock.unlock();
      asio::post(exec, std::move(fn));
      return;
    }
    ends.push_back(std::move(fn));
  }
  void written(size_t n) {
    std::lock_guard lock(mu);
    pending -= std::min(pending, n);
  }
  void ended() {
    std::vector<std::function<void()>> fns;
    std::shared_ptr<http_session> last;
    {
      std::lock_guard lock(mu);
      is_open = false;
      fns.swap(ends);
      last = std::move(hold);
    }
    // Never inline: the caller may hold a lock the callbacks take.
    for (auto& f : fns) asio::post(exec, std::move(f));
  }
};

template <class Stream>
void http_session<Stream>::start_stream(api_request ar, const std::string& route_name, stream_reply s,
                                        clock::time_point start, bool keep_alive) {
  st_.emplace();
  st_->req = std::move(ar);
  st_->route_name = route_name;
  st_->start = start;
  st_->keep_alive = keep_alive;
  auto head = std::make_shared<http::response<http::empty_body>>(static_cast<http::status>(s.status), 11);
  head->set(http::field::server, "codegraph");
  head->set(http::field::content_type, s.content_type);
  std::vector<std::pair<std::string, std::string>> extra = s.headers;
  srv_.application->finish(st_->req, route_name, s.status, extra, 0);
  for (auto& [k, v] : extra) head->insert(k, v);
  head->set("X-Accel-Buffering", "no");
  head->chunked(true);
  // A streamed answer ends its connection: the read that watches for a vanished
  // client (watch_client) may have taken bytes of a next request.
  head->keep_alive(false);
  st_->head = head;
  st_->serializer = std::make_shared<http::response_serializer<http::empty_body>>(*head);
  auto sink = std::make_shared<sink_state>();
  sink->session = this->weak_from_this();
  sink->hold = this->shared_from_this();
  sink->exec = stream_.get_executor();
  sink->bound = srv_.opts.limits.ws_queue_bytes;
  st_->sink = sink;
  // Long-lived streams: no deadline on the socket while they run; a vanished client
  // shows up as a write error, a stuck one as the queue bound.
  beast::get_lowest_layer(stream_).expires_never();
  st_->writing = true;
  http::async_write_header(
      stream_, *st_->serializer,
      [self = this->shared_from_this(), produce = std::move(s.produce), sink](beast::error_code ec, size_t) mutable {
        self->st_->writing = false;
        if (ec) return self->stream_abort();
        asio::post(self->srv_.workers, [produce = std::move(produce), sink] { produce(sink); });
        self->watch_client();
        self->write_next_chunk();
      });
}

// A client that goes away while nothing is being written shows up here: one read
// outstanding during the stream; any completion (EOF, reset, or bytes, which a client
// waiting for a streamed answer has no business sending) ends the stream.
template <class Stream>
void http_session<Stream>::watch_client() {
  stream_.async_read_some(asio::buffer(probe_), [self = this->shared_from_this()](beast::error_code, size_t) {
    if (self->st_ && !self->st_->ended && !self->st_->ending) self->stream_abort();
  });
}

template <class Stream>
void http_session<Stream>::stream_push(std::shared_ptr<std::string> chunk, std::string key) {
  if (!st_ || st_->ended) return;
  if (auto old = st_->queue.replace(key, chunk)) {
    ++srv_.application->stats().coalesced_messages;
    st_->sink->written(*old);  // the superseded chunk will never be written
    return;
  }
  st_->queue.push(std::move(chunk), std::move(key));
  st_->peak = std::max(st_->peak, st_->queue.bytes());
  write_next_chunk();
}

template <class Stream>
void http_session<Stream>::stream_end() {
  if (!st_ || st_->ended) return;
  st_->ending = true;
  write_next_chunk();
}

template <class Stream>
void http_session<Stream>::write_next_chunk() {
  if (!st_ || st_->writing || st_->ended) return;
  if (st_->queue.empty()) {
    if (!st_->ending) return;
    st_->writing = true;
    asio::async_write(stream_, http::make_chunk_last(),
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        self->st_->writing = false;
                        self->finish_stream(!ec);
                      });
    return;
  }
  auto c = st_->queue.start_front();
  st_->writing = true;
  asio::async_write(stream_, http::make_chunk(asio::buffer(*c)),
                    [self = this->shared_from_this(), c](beast::error_code ec, size_t) {
                      self->st_->writing = false;
                      self->st_->sink->written(self->st_->queue.pop_front());
                      if (ec) return self->stream_abort();
                      self->write_next_chunk();
                    });
}

template <class Stream>
void http_session<Stream>::stream_abort() {
  if (!st_ || st_->ended) return;
  finish_stream(false);
}

template <class Stream>
void http_session<Stream>::finish_stream(bool ok) {
  st_->ended = true;
  if (!ok && st_->req.cancel) st_->req.cancel->store(true);  // the producer may stop early
  st_->sink->ended();
  bool keep = ok && st_->head->keep_alive();
  bool trim = st_->peak >= server::impl::trim_after_bytes;
  st_.reset();
  if (trim) srv_.request_trim();
  --srv_.in_flight;
  busy_ = false;
  if (!keep) return do_close();
  do_read();
}

}  // namespace

void start_http_session(server::impl& srv, tcp::socket socket, int loop) {
  beast::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  std::string ip = ec ? "?" : ep.address().to_string();
  if (srv.ssl) {
    auto s = std::make_shared<http_session<tls_stream>>(srv, std::move(socket), *srv.ssl);
    s->start(std::move(ip), loop);
  } else {
    auto s = std::make_shared<http_session<plain_stream>>(srv, std::move(socket));
    s->start(std::move(ip), loop);
  }
}

}  // namespace cg::net
