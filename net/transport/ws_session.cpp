// One WebSocket connection: /ws (the event channel, subprotocol codegraph.events.v1
// or none) and /graphql (graphql-transport-ws: queries, mutations and subscriptions,
// run on the worker pool, their results posted back onto this connection's loop). Outbound messages go through
// a queue bounded in bytes with one write outstanding; see the slow-consumer policy
// in docs/ARCHITECTURE.md.
#include <spdlog/spdlog.h>

#include <chrono>
#include <deque>
#include <nlohmann/json.hpp>

#include "net/app/outbox.hpp"
#include "net/graphql/gql_service.hpp"
#include "net/graphql/gql_ws_protocol.hpp"
#include "net/transport/beast_impl.hpp"
#include "net/transport/memory_trim.hpp"

namespace cg::net {
namespace {

using clock = std::chrono::steady_clock;

template <class Next>
class ws_session : public session_base, public std::enable_shared_from_this<ws_session<Next>> {
 public:
  ws_session(server::impl& srv, Next&& next, app::upgrade_decision d, api_request ar)
      : srv_(srv), ws_(std::move(next)), decision_(std::move(d)), req_(std::move(ar)) {}

  ~ws_session() override {
    if (peak_queue_ >= server::impl::trim_after_bytes) srv_.request_trim();
    if (client_id_) srv_.application->events().detach(client_id_);
    srv_.remove_session(id_);
    --srv_.connections;
    --srv_.application->stats().ws_connections;
    srv_.application->stats().ws_queue_bytes -= static_cast<int64_t>(out_.bytes());
  }

  void start(http::request<http::string_body> req) {
    ++srv_.connections;
    ++srv_.application->stats().ws_connections;
    id_ = srv_.add_session(this->weak_from_this());
    graphql_ = req_.path == "/graphql";
    const auto& lim = srv_.opts.limits;
    if constexpr (!std::is_same_v<Next, tcp::socket>)
      beast::get_lowest_layer(ws_).expires_never();  // the websocket timeouts take over
    if (lim.ws_send_buffer) {
      beast::error_code ec;  // best effort: the kernel clamps it to its own bounds
      socket().set_option(asio::socket_base::send_buffer_size(static_cast<int>(lim.ws_send_buffer)), ec);
    }
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(10);
    t.idle_timeout = lim.ws_idle_timeout;
    t.keep_alive_pings = true;  // a ping at half the idle timeout; no pong: closed
    ws_.set_option(t);
    ws_.read_message_max(lim.ws_message_bytes);
    auto proto = decision_.subprotocol;
    ws_.set_option(websocket::stream_base::decorator([proto](websocket::response_type& res) {
      res.set(http::field::server, "codegraph");
      if (!proto.empty()) res.set(http::field::sec_websocket_protocol, proto);
    }));
    ws_.async_accept(req, [self = this->shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  void close_now() override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
      self->close_with(static_cast<websocket::close_code>(ws_close::going_away), "server shutting down");
    });
  }

  // From any thread (the event hub).
  void post_send(std::shared_ptr<const std::string> text) {
    asio::post(ws_.get_executor(), [self = this->shared_from_this(), text = std::move(text)] { self->enqueue(text); });
  }

 private:
  tcp::socket& socket() {
    if constexpr (std::is_same_v<Next, tcp::socket>)
      return ws_.next_layer();
    else
      return beast::get_lowest_layer(ws_).socket();
  }

  struct hub_client : event_client {
    std::weak_ptr<ws_session> s;
    bool send(std::shared_ptr<const std::string> text) override {
      auto sp = s.lock();
      if (!sp) return false;
      sp->post_send(std::move(text));
      return true;
    }
  };

  void on_accept(beast::error_code ec) {
    if (ec) return;
    ws_.text(true);
    if (graphql_) {
      make_protocol();
      init_timer_.emplace(ws_.get_executor());
      init_timer_->expires_after(srv_.opts.limits.ws_init_timeout);
      init_timer_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
        if (!ec && self->proto_) self->proto_->on_init_timeout();
      });
    } else {
      hub_ = std::make_shared<hub_client>();
      hub_->s = this->weak_from_this();
      client_id_ = srv_.application->events().attach(hub_, req_.who);
      nlohmann::json hello = {{"type", "hello"},
                              {"subprotocol", decision_.subprotocol},
                              {"who", req_.who.subject},
                              {"project_scope", req_.who.project}};
      enqueue(std::make_shared<const std::string>(hello.dump()));
      if (!decision_.topics.empty())
        enqueue(std::make_shared<const std::string>(
            srv_.application->events().subscribe_topics(client_id_, decision_.topics)));
    }
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      // Closed, timed out, too big (Beast answers 1009), or reset: operations still
      // running are cancelled and subscriptions stopped now (workers may hold this
      // session alive for a while).
      proto_.reset();
      return;
    }
    if (!ws_.got_text()) {
      buffer_.consume(buffer_.size());
      return close_with(static_cast<websocket::close_code>(ws_close::bad_payload), "text frames only");
    }
    auto text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (graphql_) {
      if (!proto_->on_message(text)) return;
      if (proto_->acked() && init_timer_) init_timer_->cancel();
    } else {
      auto reply = srv_.application->events().on_client_message(client_id_, text);
      if (!reply.empty()) enqueue(std::make_shared<const std::string>(std::move(reply)));
    }
    do_read();
  }

  // graphql-transport-ws: the protocol decides (net/graphql/gql_ws_protocol.cpp); the
  // session sends, closes and runs operations for it.
  void make_protocol() {
    gql_ws_protocol::hooks h;
    h.authenticate = [this](std::string_view authz, std::string_view token) {
      return srv_.application->authenticate(authz, token);
    };
    h.send = [this](std::string text) { enqueue(std::make_shared<const std::string>(std::move(text))); };
    h.close = [this](uint16_t code, std::string reason) {
      close_with(static_cast<websocket::close_code>(code), std::move(reason));
    };
    h.start = [this](const std::string& id, gql::request gr, const principal& who,
                     std::shared_ptr<std::atomic<bool>> cancel) {
      run_operation(id, std::move(gr), who, std::move(cancel));
    };
    h.available = srv_.application->graphql() != nullptr;
    proto_.emplace(std::move(h), req_.who);
  }

  // Runs an operation on the worker pool; its results come back onto the connection's loop.
  void run_operation(const std::string& id, gql::request gr, const principal& who,
                     std::shared_ptr<std::atomic<bool>> cancel) {
    std::weak_ptr<ws_session> weak = this->weak_from_this();
    auto post = [weak](auto fn) {
      if (auto self = weak.lock()) asio::post(self->ws_.get_executor(), [self, fn = std::move(fn)] { fn(*self); });
    };
    auto prefix = gql_ws_protocol::next_prefix(id);
    // Dispatched, not posted: on a fan-out lane (a network thread) it writes at once
    // when the lane runs on this connection's loop (lanes keep to it).
    auto on_next = [weak, id, prefix](graphql_service::payload_ptr payload, const std::string& coalesce) {
      auto self = weak.lock();
      if (!self) return;
      std::shared_ptr<const std::string> text;
      {
        message_heap_scope in_message_heap;  // queued bytes stay apart (net/transport/memory_trim.hpp)
        std::string msg;
        msg.reserve(prefix.size() + payload->size() + 1);
        msg.append(prefix).append(*payload).push_back('}');
        text = std::make_shared<const std::string>(std::move(msg));
      }
      std::string key = coalesce.empty() ? std::string() : id + '\x1f' + coalesce;
      auto ex = self->ws_.get_executor();
      asio::dispatch(ex, [self = std::move(self), id, text, key = std::move(key)] {
        if (self->proto_ && self->proto_->running(id)) self->enqueue(text, key);
      });
    };
    auto on_done = [post, id](gql::json errors) {
      auto t = std::make_shared<const std::string>(errors.is_null() ? gql_ws_protocol::complete_message(id)
                                                                    : gql_ws_protocol::error_message(id, errors));
      post([id, t](ws_session& s) {
        if (s.proto_ && s.proto_->finish(id)) s.enqueue(t);
      });
    };
    api_request origin = req_;
    origin.who = who;
    origin.cancel = std::move(cancel);
    if (!srv_.take_worker_slot())
      return on_done(gql::json::array({{{"message", "the server is busy: too many operations are waiting; retry later"},
                                        {"extensions", {{"code", "OVERLOADED"}, {"retryAfter", 1}}}}}));
    asio::post(srv_.workers, [self = this->shared_from_this(), id, gr = std::move(gr), origin = std::move(origin),
                              on_next, on_done, post]() mutable {
      auto h = self->srv_.application->graphql()->start(origin, gr, on_next, on_done);
      self->srv_.release_worker_slot();
      if (!h) return;
      auto shared = std::shared_ptr<gql::stream_handle>(std::move(h));
      post([id, shared](ws_session& s) {
        if (s.proto_) s.proto_->attach(id, shared);
      });
    });
  }

  // Strand only. The slow-consumer policy: a message with a coalescing key takes the
  // place of a queued, unsent one with the same key (a subscription's newer state of
  // a node); over the byte bound, new messages are dropped and counted; when the
  // queue drains below half, the client gets a {"type":"dropped","count":n} notice;
  // over the bound for ws_slow_close, the connection is closed with 1008.
  void enqueue(std::shared_ptr<const std::string> text, std::string key = {}) {
    if (closing_) return;
    const auto& lim = srv_.opts.limits;
    auto& stats = srv_.application->stats();
    if (auto old = out_.replace(key, text)) {
      ++stats.coalesced_messages;
      stats.ws_queue_bytes += static_cast<int64_t>(text->size()) - static_cast<int64_t>(*old);
      return;
    }
    if (out_.bytes() + text->size() > lim.ws_queue_bytes) {
      ++dropped_;
      ++srv_.application->stats().ws_dropped_messages;
      auto now = clock::now();
      if (!over_since_) {
        over_since_ = now;
        // Still over when the time is up (no more messages need come for it): closed.
        slow_timer_.emplace(ws_.get_executor());
        slow_timer_->expires_after(lim.ws_slow_close + std::chrono::milliseconds(1));
        slow_timer_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
          if (!ec && self->over_since_) self->slow_close();
        });
      } else if (now - *over_since_ > lim.ws_slow_close) {
        slow_close();
      }
      return;
    }
    stats.ws_queue_bytes += static_cast<int64_t>(text->size());
    out_.push(std::move(text), std::move(key));
    peak_queue_ = std::max(peak_queue_, out_.bytes());
    if (!writing_) write_next();
  }

  void write_next() {
    if (out_.empty() || closing_) return;
    writing_ = true;
    ws_.async_write(asio::buffer(*out_.start_front()),
                    [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    auto n = out_.pop_front();
    srv_.application->stats().ws_queue_bytes -= static_cast<int64_t>(n);
    if (ec) return;
    if (dropped_ && out_.bytes() < srv_.opts.limits.ws_queue_bytes / 2) {
      nlohmann::json notice = {{"type", "dropped"}, {"count", dropped_}};
      dropped_ = 0;
      over_since_.reset();
      if (slow_timer_) slow_timer_->cancel();
      auto t = std::make_shared<const std::string>(notice.dump());
      srv_.application->stats().ws_queue_bytes += static_cast<int64_t>(t->size());
      out_.push(std::move(t));
    }
    if (out_.empty() && peak_queue_ >= server::impl::trim_after_bytes) {
      peak_queue_ = 0;  // a burst drained: its pages go back
      srv_.request_trim();
    }
    if (closing_pending_ && out_.empty()) return do_close();
    write_next();
  }

  void slow_close() {
    if (closing_) return;
    ++srv_.application->stats().ws_slow_closes;
    close_with(static_cast<websocket::close_code>(ws_close::policy), "slow consumer");
  }

  void close_with(websocket::close_code code, std::string reason) {
    if (closing_) return;
    if (reason.size() > 123) reason.resize(123);  // a close frame's reason is at most 123 bytes
    pending_close_ = websocket::close_reason(code, reason);
    // A client that does not read never lets the close frame (or the write before it)
    // through: after a second the socket is closed outright, which ends the session
    // and frees its queue.
    close_timer_.emplace(ws_.get_executor());
    close_timer_->expires_after(std::chrono::seconds(1));
    close_timer_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;
      beast::error_code ignored;
      self->socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->socket().close(ignored);
    });
    if (writing_) {
      closing_pending_ = true;  // after the write in flight
      closing_ = true;
      return;
    }
    closing_ = true;
    do_close();
  }

  void do_close() {
    ws_.async_close(pending_close_, [self = this->shared_from_this()](beast::error_code) {
      if (self->close_timer_) self->close_timer_->cancel();
    });
  }

  server::impl& srv_;
  websocket::stream<Next> ws_;
  app::upgrade_decision decision_;
  api_request req_;
  beast::flat_buffer buffer_;
  uint64_t id_ = 0, client_id_ = 0;
  std::shared_ptr<hub_client> hub_;
  bool graphql_ = false;
  std::optional<gql_ws_protocol> proto_;  // /graphql: its operations live here
  std::optional<asio::steady_timer> init_timer_, close_timer_, slow_timer_;
  outbox out_;
  uint64_t dropped_ = 0;
  size_t peak_queue_ = 0;  // the most bytes ever queued (a big one asks for a memory trim at the end)
  std::optional<clock::time_point> over_since_;
  bool writing_ = false, closing_ = false, closing_pending_ = false;
  websocket::close_reason pending_close_;
};

}  // namespace

// A plain connection's WebSocket runs on the bare socket: Beast's websocket timeouts
// replace tcp_stream's, and each write skips tcp_stream's layer (fan-out to thousands
// of subscribers is a write per subscriber per event).
void start_ws_session(server::impl& srv, plain_stream&& stream, http::request<http::string_body>&& req,
                      app::upgrade_decision&& d, api_request&& ar) {
  auto s = std::make_shared<ws_session<tcp::socket>>(srv, stream.release_socket(), std::move(d), std::move(ar));
  s->start(std::move(req));
}

void start_ws_session(server::impl& srv, tls_stream&& stream, http::request<http::string_body>&& req,
                      app::upgrade_decision&& d, api_request&& ar) {
  auto s = std::make_shared<ws_session<tls_stream>>(srv, std::move(stream), std::move(d), std::move(ar));
  s->start(std::move(req));
}

}  // namespace cg::net
