#pragma once
// A parsed Beast request as the app sees it (method, target, path and query,
// lower-case header names with repeated headers folded). Internal to net/: included by
// the HTTP session and the HTTP fuzz target only (it pulls in Beast).
#include <boost/beast/http.hpp>

#include "net/app/api_types.hpp"

namespace cg::net {

// Fills method, target and headers; false when the target is not origin-form or has a
// bad escape (path and query are then unusable).
template <class Body>
bool fill_api_request(const boost::beast::http::request<Body>& req, api_request& ar) {
  ar.method = std::string(req.method_string());
  ar.target = std::string(req.target());
  for (const auto& f : req) {
    std::string name(f.name_string());
    for (auto& c : name) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    auto [it, fresh] = ar.headers.emplace(std::move(name), std::string(f.value()));
    if (!fresh) it->second += ", " + std::string(f.value());
  }
  return split_target(ar.target, ar.path, ar.query) && !ar.target.empty() && ar.target.front() == '/';
}

}  // namespace cg::net
