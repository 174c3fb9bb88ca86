#include "net/app/router.hpp"

#include <nlohmann/json.hpp>

namespace cg::net {
namespace {

std::vector<std::string_view> split_path(std::string_view p) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < p.size()) {
    while (i < p.size() && p[i] == '/') ++i;
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) out.push_back(p.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

void router::add(route r) {
  compiled c;
  for (auto s : split_path(r.pattern)) c.segments.emplace_back(s);
  routes_.push_back(std::move(r));
  compiled_.push_back(std::move(c));
}

bool router::bind(std::string_view method, std::string_view pattern, handler fn, try_now_fn try_now) {
  for (const auto& d : rest_routes()) {
    if (d.method != method || d.pattern != pattern) continue;
    route r;
    r.method = std::string(method);
    r.pattern = std::string(pattern);
    r.op = d.op;
    r.blocking = d.blocking;
    r.auth_in_handler = d.auth_in_handler;
    r.fn = std::move(fn);
    r.try_now = std::move(try_now);
    add(std::move(r));
    return true;
  }
  undeclared_.push_back("handler without a declaration in net/app/routes.cpp: " + std::string(method) + " " +
                        std::string(pattern));
  return false;
}

std::vector<std::string> router::problems() const {
  std::vector<std::string> out = undeclared_;
  for (const auto& d : rest_routes()) {
    bool bound = false;
    for (const auto& r : routes_) bound = bound || (r.method == d.method && r.pattern == d.pattern);
    if (!bound)
      out.push_back("declared route without a handler: " + std::string(d.method) + " " + std::string(d.pattern));
  }
  return out;
}

bool router::match_one(const compiled& c, const std::vector<std::string_view>& parts,
                       std::unordered_map<std::string, std::string>* params) {
  if (c.segments.size() != parts.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = c.segments[i];
    bool capture = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    if (!capture && seg != parts[i]) return false;
  }
  if (params)
    for (size_t i = 0; i < parts.size(); ++i) {
      const auto& seg = c.segments[i];
      if (seg.size() > 2 && seg.front() == '{') (*params)[seg.substr(1, seg.size() - 2)] = std::string(parts[i]);
    }
  return true;
}

router::match_result router::match(api_request& req) const {
  match_result m;
  auto parts = split_path(req.path);
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].method != req.method || !match_one(compiled_[i], parts, &req.params)) continue;
    m.path_known = true;
    m.found = &routes_[i];
    return m;
  }
  // No route for this method: the methods the path has, for a 405's Allow header.
  for (size_t i = 0; i < routes_.size(); ++i)
    if (match_one(compiled_[i], parts, nullptr)) {
      m.path_known = true;
      m.allowed.push_back(routes_[i].method);
    }
  return m;
}

api_response json_response(int status, std::string body) {
  api_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

api_response error_response(int status, std::string_view code, std::string_view message, std::string_view request_id) {
  nlohmann::json j = {{"error", {{"code", code}, {"message", message}, {"request_id", request_id}}}};
  return json_response(status, j.dump());
}

}  // namespace cg::net
