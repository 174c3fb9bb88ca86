#pragma once
// A scriptable HTTP/1.1 server on 127.0.0.1 for tests of outbound clients: each
// request goes to a handler that decides the status, body, a delay before the
// answer, or hanging up without one. Optional TLS with a self-signed certificate.
// Plain POSIX sockets and OpenSSL, one thread per connection.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cg::test {

struct loopback_request {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct loopback_reply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers = {};
  int delay_ms = 0;      // wait before answering (the client may time out first)
  bool hang_up = false;  // close the connection without an answer
};

// A self-signed certificate for "localhost" and 127.0.0.1, written as PEM files.
struct tls_files {
  std::string cert, key;
};
tls_files make_self_signed(const std::string& dir);

class loopback_http_server {
 public:
  using handler = std::function<loopback_reply(const loopback_request&)>;
  explicit loopback_http_server(handler h, const tls_files* tls = nullptr);
  ~loopback_http_server();
  loopback_http_server(const loopback_http_server&) = delete;
  loopback_http_server& operator=(const loopback_http_server&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const;  // http(s)://127.0.0.1:PORT
  size_t requests() const { return requests_.load(); }

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  uint16_t port_ = 0;
  bool tls_ = false;
  std::atomic<size_t> requests_{0};
};

}  // namespace cg::test
