// The blocking HTTP client: one io_context per call runs a coroutine that
// resolves, connects, (TLS-handshakes,) writes and reads under one deadline.
#include "net/client/http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <strings.h>
#include <optional>

namespace cg::net {
namespace {

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

template <class Stream>
asio::awaitable<void> exchange(Stream& s, beast::tcp_stream& low, const target& t, const http_request& req,
                               const http_client_options& opts, clock::time_point deadline, http_response& out) {
  auto rq = make_request(t, req);
  low.expires_at(deadline);
  co_await http::async_write(s, rq, asio::use_awaitable);
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(opts.max_response_bytes);
  low.expires_at(deadline);
  co_await http::async_read(s, buf, parser, asio::use_awaitable);
  fill(out, parser.release());
}

asio::awaitable<void> run_call(const target& t, const http_request& req, const http_client_options& opts,
                               clock::time_point deadline, http_response& out) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto endpoints = co_await resolver.async_resolve(t.host, t.port, asio::use_awaitable);
  if (!t.tls) {
    beast::tcp_stream s(ex);
    s.expires_at(deadline);
    co_await s.async_connect(endpoints, asio::use_awaitable);
    co_await exchange(s, s, t, req, opts, deadline, out);
    co_return;
  }
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_default_verify_paths();
  if (!opts.tls.ca_file.empty()) ctx.load_verify_file(opts.tls.ca_file);
  ctx.set_verify_mode(opts.tls.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> s(ex, ctx);
  if (!SSL_set_tlsext_host_name(s.native_handle(), t.host.c_str()))
    throw boost::system::system_error(
        beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
  if (opts.tls.verify_peer) s.set_verify_callback(asio::ssl::host_name_verification(t.host));
  auto& low = beast::get_lowest_layer(s);
  low.expires_at(deadline);
  co_await low.async_connect(endpoints, asio::use_awaitable);
  low.expires_at(deadline);
  co_await s.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  co_await exchange(s, low, t, req, opts, deadline, out);
  // No close_notify exchange: the request said "Connection: close" and the body is complete.
}

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

result<http_response> http_call(const http_request& req, const http_client_options& opts) {
  auto t = parse_target(req.url);
  if (!t.ok()) return t.err();
  if (http::string_to_verb(req.method) == http::verb::unknown)
    return make_error(errc::invalid_argument, "unknown HTTP method " + req.method);
  asio::io_context ioc;
  http_response out;
  std::optional<error> failure;
  auto deadline = clock::now() + req.timeout;
  asio::co_spawn(ioc, run_call(*t, req, opts, deadline, out), [&](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const boost::system::system_error& se) {
      failure = classify(se.code(), *t, req);
    } catch (const std::exception& x) {
      failure = make_error(errc::upstream, "HTTP call to " + req.url + " failed: " + x.what());
    }
  });
  ioc.run();
  if (failure) return *failure;
  return out;
}

}  // namespace cg::net
