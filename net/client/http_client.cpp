// The blocking HTTP client: one io_context per call runs a chain of completion
// handlers that resolves, connects, (TLS-handshakes,) writes and reads under one
// deadline.
#include "net/client/http_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <strings.h>
#include <cstdint>
#include <limits>
#include <optional>

namespace cg::net {
namespace {

using body_fn = std::function<bool(std::string_view)>;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;

struct target {
  bool tls = false;
  std::string host, port, path;
};

result<target> parse_target(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return make_error(errc::invalid_argument, "not an absolute URL: " + url);
  target t;
  if (u->scheme() == "https")
    t.tls = true;
  else if (u->scheme() != "http")
    return make_error(errc::invalid_argument, "unsupported URL scheme (http or https): " + url);
  t.host = std::string(u->host_address());
  if (t.host.empty()) return make_error(errc::invalid_argument, "URL without a host: " + url);
  t.port = u->has_port() ? std::string(u->port()) : (t.tls ? "443" : "80");
  t.path = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
  if (u->has_query()) t.path += "?" + std::string(u->encoded_query());
  return t;
}

http::request<http::string_body> make_request(const target& t, const http_request& req) {
  http::request<http::string_body> rq{http::string_to_verb(req.method), t.path, 11};
  bool default_port = t.port == (t.tls ? "443" : "80");
  rq.set(http::field::host, default_port ? t.host : t.host + ":" + t.port);
  rq.set(http::field::user_agent, "codegraph");
  rq.set(http::field::connection, "close");
  if (!req.body.empty()) rq.set(http::field::content_type, "application/json");
  for (const auto& [k, v] : req.headers) rq.set(k, v);
  rq.body() = req.body;
  rq.prepare_payload();
  return rq;
}

void fill(http_response& out, http::response<http::string_body>&& res) {
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(res.body());
}

// One call in the house style of the server's sessions: do_x starts an asynchronous
// step, on_x takes its result. The object lives on the caller's stack for the whole
// io_context::run(), so the handlers capture `this`.
class call {
 public:
  call(asio::io_context& ioc, const target& t, const http_request& req, const http_client_options& opts,
       clock::time_point deadline, const body_fn* on_body = nullptr)
      : resolver_(ioc), t_(t), deadline_(deadline), request_(make_request(t, req)), on_body_(on_body) {
    parser_.body_limit(on_body ? std::numeric_limits<std::uint64_t>::max() : opts.max_response_bytes);
    if (!t.tls) {
      plain_.emplace(ioc);
      return;
    }
    ssl_.emplace(asio::ssl::context::tls_client);
    ssl_->set_default_verify_paths();
    if (!opts.tls.ca_file.empty()) ssl_->load_verify_file(opts.tls.ca_file);
    ssl_->set_verify_mode(opts.tls.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);
    tls_.emplace(ioc, *ssl_);
    if (!SSL_set_tlsext_host_name(tls_->native_handle(), t.host.c_str()))
      throw boost::system::system_error(
          beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
    if (opts.tls.verify_peer) tls_->set_verify_callback(asio::ssl::host_name_verification(t.host));
  }

  void start() { do_resolve(); }
  const std::optional<beast::error_code>& failure() const { return failure_; }
  http_response& response() { return out_; }

 private:
  beast::tcp_stream& lowest() { return plain_ ? *plain_ : beast::get_lowest_layer(*tls_); }
  template <class F>
  void with_stream(F&& f) {
    if (plain_)
      f(*plain_);
    else
      f(*tls_);
  }
  bool failed(beast::error_code ec) {
    if (ec) failure_ = ec;
    return bool(ec);
  }

  void do_resolve() {
    resolver_.async_resolve(t_.host, t_.port, [this](beast::error_code ec, tcp::resolver::results_type r) {
      on_resolve(ec, std::move(r));
    });
  }
  void on_resolve(beast::error_code ec, tcp::resolver::results_type endpoints) {
    if (failed(ec)) return;
    lowest().expires_at(deadline_);
    lowest().async_connect(endpoints, [this](beast::error_code e, const tcp::endpoint&) { on_connect(e); });
  }
  void on_connect(beast::error_code ec) {
    if (failed(ec)) return;
    if (plain_) return do_write();
    lowest().expires_at(deadline_);
    tls_->async_handshake(asio::ssl::stream_base::client, [this](beast::error_code e) { on_handshake(e); });
  }
  void on_handshake(beast::error_code ec) {
    if (!failed(ec)) do_write();
  }
  void do_write() {
    lowest().expires_at(deadline_);
    with_stream(
        [this](auto& s) { http::async_write(s, request_, [this](beast::error_code e, size_t) { on_write(e); }); });
  }
  void on_write(beast::error_code ec) {
    if (failed(ec)) return;
    lowest().expires_at(deadline_);
    if (on_body_)
      return with_stream([this](auto& s) {
        http::async_read_header(s, buffer_, parser_, [this](beast::error_code e, size_t) { on_header(e); });
      });
    with_stream([this](auto& s) {
      http::async_read(s, buffer_, parser_, [this](beast::error_code e, size_t) { on_read(e); });
    });
  }
  // Streaming: the head, then the body piece by piece as it comes, with no deadline.
  void on_header(beast::error_code ec) {
    if (failed(ec)) return;
    out_.status = static_cast<int>(parser_.get().result_int());
    for (const auto& f : parser_.get()) out_.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    lowest().expires_never();
    do_read_some();
  }
  void do_read_some() {
    if (parser_.is_done()) return;
    with_stream([this](auto& s) {
      http::async_read_some(s, buffer_, parser_, [this](beast::error_code e, size_t) { on_read_some(e); });
    });
  }
  void on_read_some(beast::error_code ec) {
    auto& body = parser_.get().body();
    if (!body.empty()) {
      bool more = (*on_body_)(body);
      body.clear();
      if (!more) {
        beast::error_code ignored;
        lowest().socket().close(ignored);
        return;
      }
    }
    if (ec == http::error::need_buffer) ec = {};
    if (ec == http::error::end_of_stream || ec == asio::error::eof) return;
    if (failed(ec)) return;
    do_read_some();
  }
  void on_read(beast::error_code ec) {
    if (failed(ec)) return;
    fill(out_, parser_.release());
    // No close_notify exchange: the request said "Connection: close" and the body is complete.
  }

  tcp::resolver resolver_;
  const target& t_;
  clock::time_point deadline_;
  http::request<http::string_body> request_;
  std::optional<asio::ssl::context> ssl_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  http_response out_;
  const body_fn* on_body_ = nullptr;
  std::optional<beast::error_code> failure_;
};

error classify(const boost::system::error_code& ec, const target& t, const http_request& req) {
  std::string where = t.host + ":" + t.port;
  if (ec == beast::error::timeout)
    return make_error(errc::timeout,
                      "no answer from " + where + " within " + std::to_string(req.timeout.count()) + " ms");
  if (ec == http::error::body_limit) return make_error(errc::too_large, "response from " + where + " is too large");
  if (ec.category() == asio::error::get_ssl_category() || ec.category() == asio::ssl::error::get_stream_category())
    return make_error(errc::upstream, "TLS with " + where + " failed: " + ec.message());
  if (ec.category() == http::make_error_code(http::error::end_of_stream).category())
    return make_error(errc::upstream, "bad HTTP from " + where + ": " + ec.message());
  return make_error(errc::upstream, "cannot talk to " + where + ": " + ec.message());
}

}  // namespace

std::string http_response::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  return {};
}

namespace {

result<http_response> run_call(const http_request& req, const http_client_options& opts, const body_fn* on_body) {
  auto t = parse_target(req.url);
  if (!t.ok()) return t.err();
  if (http::string_to_verb(req.method) == http::verb::unknown)
    return make_error(errc::invalid_argument, "unknown HTTP method " + req.method);
  asio::io_context ioc;
  auto deadline = clock::now() + req.timeout;
  try {
    call c(ioc, *t, req, opts, deadline, on_body);
    c.start();
    ioc.run();
    if (c.failure()) return classify(*c.failure(), *t, req);
    return std::move(c.response());
  } catch (const boost::system::system_error& se) {
    return classify(se.code(), *t, req);
  } catch (const std::exception& x) {
    return make_error(errc::upstream, "HTTP call to " + req.url + " failed: " + x.what());
  }
}

}  // namespace

result<http_response> http_call(const http_request& req, const http_client_options& opts) {
  return run_call(req, opts, nullptr);
}

result<http_response> http_stream(const http_request& req, const body_fn& on_body, const http_client_options& opts) {
  return run_call(req, opts, &on_body);
}

}  // namespace cg::net
