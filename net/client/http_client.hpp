#pragma once
// A small blocking HTTP/1.1 client (HTTP and HTTPS via OpenSSL) for calling other
// services, e.g. an embedding provider. Plain interface: Beast stays in the .cpp.
// One connection per call; the deadline covers connect, TLS, write and read.
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schema/result.hpp"

namespace cg::net {

struct http_request {
  std::string method = "POST";
  std::string url;  // http://host[:port]/path or https://...
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};
};

struct http_response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string header(std::string_view name) const;  // case-insensitive; "" when absent
};

struct tls_options {
  bool verify_peer = true;
  std::string ca_file;  // extra trust anchor (a private CA or a self-signed certificate)
};

struct http_client_options {
  tls_options tls;
  size_t max_response_bytes = 256u << 20;
};

// Transport failures come back as errors: timeout (errc::timeout), refused or reset
// connections, TLS and protocol errors (errc::upstream), a malformed URL
// (errc::invalid_argument). Any HTTP status, 500 included, is a response.
result<http_response> http_call(const http_request& req, const http_client_options& opts = {});
// A response read as it arrives (an event stream): the head into the result, each
// piece of the body to on_body as it comes (false stops reading and closes). The
// deadline covers the head only. Returns when the body ends, the connection fails or
// on_body says stop; the result's body stays empty.
result<http_response> http_stream(const http_request& req, const std::function<bool(std::string_view)>& on_body,
                                  const http_client_options& opts = {});

}  // namespace cg::net
