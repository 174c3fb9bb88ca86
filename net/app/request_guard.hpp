#pragma once
// Checks on where a request comes from, before routing: the Host header against the
// names the server answers to (DNS rebinding: a page whose name is made to resolve to
// 127.0.0.1 reads what the server answers), the Origin of state-changing requests and
// WebSocket upgrades against the configured CORS origins and the server's own origin
// (cross-site request forgery, cross-site WebSocket hijacking), and the content type
// of request bodies (a page may POST text/plain to any address without a preflight).
// Plain C++.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cg::net {

struct guard_options {
  std::string address;  // the listen address
  bool tls = false;
  std::vector<std::string> allowed_hosts;  // names besides IP literals and localhost
  std::vector<std::string> cors_origins;   // "*" for any
};

class request_guard {
 public:
  explicit request_guard(guard_options o);

  // nullopt when the Host header is acceptable, else why not. An absent Host (HTTP/1.0
  // clients) is accepted; browsers always send one.
  std::optional<std::string> check_host(std::string_view host) const;
  // nullopt when a request with this Origin may change state or open a WebSocket: no
  // Origin (not a browser), the server's own origin (scheme://Host), or a configured
  // CORS origin. "null" (sandboxed frames, file://) only when configured.
  std::optional<std::string> check_origin(std::string_view origin, std::string_view host) const;
  // Whether a CORS response may name this origin (configured origins only).
  bool cors_allowed(std::string_view origin) const;

  static bool state_changing(std::string_view method);
  // application/json, or any application/...+json, parameters ignored.
  static bool json_content_type(std::string_view content_type);

 private:
  guard_options o_;
  bool check_names_ = false;  // loopback listen address or allowed_hosts given
};

}  // namespace cg::net
