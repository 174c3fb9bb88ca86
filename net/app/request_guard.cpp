#include "net/app/request_guard.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace cg::net {
namespace {

std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

bool loopback_address(const std::string& a) {
  in_addr v4{};
  if (::inet_pton(AF_INET, a.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return a == "::1" || a == "localhost";
}

bool ip_literal(std::string_view name) {
  std::string s(name);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  in_addr v4{};
  in6_addr v6{};
  return ::inet_pton(AF_INET, s.c_str(), &v4) == 1 || ::inet_pton(AF_INET6, s.c_str(), &v6) == 1;
}

// "example.com:8080" -> "example.com"; "[::1]:8080" -> "[::1]".
std::string_view host_name(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  auto colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

}  // namespace

request_guard::request_guard(guard_options o) : o_(std::move(o)) {
  for (auto& h : o_.allowed_hosts) h = lower(h);
  check_names_ = loopback_address(o_.address) || !o_.allowed_hosts.empty();
}

std::optional<std::string> request_guard::check_host(std::string_view host) const {
  if (host.empty() || !check_names_) return std::nullopt;
  if (host.find_first_of(" \t\r\n/\\@") != std::string_view::npos) return "malformed Host header";
  auto name = lower(host_name(host));
  if (ip_literal(name) || name == "localhost") return std::nullopt;
  if (std::find(o_.allowed_hosts.begin(), o_.allowed_hosts.end(), name) != o_.allowed_hosts.end()) return std::nullopt;
  return "the Host " + std::string(host) +
         " is not a name of this server (IP addresses, localhost and [server] "
         "allowed_hosts are; a DNS name pointing here from elsewhere is refused)";
}

bool request_guard::cors_allowed(std::string_view origin) const {
  for (const auto& a : o_.cors_origins)
    if (a == "*" || a == origin) return true;
  return false;
}

std::optional<std::string> request_guard::check_origin(std::string_view origin, std::string_view host) const {
  if (origin.empty()) return std::nullopt;
  for (const auto& a : o_.cors_origins)
    if ((a == "*" && origin != "null") || a == origin) return std::nullopt;
  if (!host.empty()) {
    std::string own = std::string(o_.tls ? "https://" : "http://") + lower(host);
    if (lower(origin) == own) return std::nullopt;
  }
  return "the Origin " + std::string(origin) +
         " may not change state or open a WebSocket here (only the server's "
         "own origin and [server] cors_origins may)";
}

bool request_guard::state_changing(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

bool request_guard::json_content_type(std::string_view ct) {
  auto semi = ct.find(';');
  auto type = lower(ct.substr(0, semi));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  while (!type.empty() && type.front() == ' ') type.erase(type.begin());
  if (type == "application/json") return true;
  return type.starts_with("application/") && type.ends_with("+json");
}

}  // namespace cg::net
