#include "net/app/api_types.hpp"

namespace cg::net {

std::string_view to_string(role r) {
  switch (r) {
    case role::reader: return "reader";
    case role::writer: return "writer";
    case role::admin: return "admin";
    default: return "none";
  }
}

bool parse_role(std::string_view s, role& out) {
  if (s == "reader")
    out = role::reader;
  else if (s == "writer")
    out = role::writer;
  else if (s == "admin")
    out = role::admin;
  else
    return false;
  return true;
}

std::string api_request::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

bool api_request::has_query(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return true;
  return false;
}

std::string api_request::query_value(std::string_view name, std::string_view fallback) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return std::string(fallback);
}

std::vector<std::string> api_request::query_values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : query) {
    if (k != name) continue;
    size_t start = 0;
    while (start <= v.size()) {
      auto c = v.find(',', start);
      auto part = v.substr(start, c == std::string::npos ? std::string::npos : c - start);
      if (!part.empty()) out.push_back(part);
      if (c == std::string::npos) break;
      start = c + 1;
    }
  }
  return out;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  // Most paths and names have nothing to decode: copy the run up to the first escape.
  size_t i = 0;
  while (i < in.size() && in[i] != '%' && !(in[i] == '+' && plus_is_space)) ++i;
  out.assign(in.data(), i);
  if (i == in.size()) return true;
  out.reserve(in.size());
  for (; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      char d = static_cast<char>(hi * 16 + lo);
      if (d == '\0') return false;  // NUL never belongs in a path or a name
      out.push_back(d);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

bool split_target(std::string_view target, std::string& path, std::vector<std::pair<std::string, std::string>>& query) {
  auto q = target.find('?');
  auto raw_path = target.substr(0, q);
  if (!percent_decode(raw_path, path, false)) return false;
  query.clear();
  if (q == std::string_view::npos) return true;
  auto rest = target.substr(q + 1);
  auto hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  size_t i = 0;
  while (i <= rest.size()) {
    auto amp = rest.find('&', i);
    auto pair = rest.substr(i, amp == std::string_view::npos ? std::string_view::npos : amp - i);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      std::string k, v;
      if (!percent_decode(pair.substr(0, eq), k, true)) return false;
      if (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), v, true)) return false;
      query.emplace_back(std::move(k), std::move(v));
    }
    if (amp == std::string_view::npos) break;
    i = amp + 1;
  }
  return true;
}

// A Server-Sent Events frame: the event name (if any) and one data: field per line.
std::string sse_frame(std::string_view event, std::string_view data) {
  std::string out;
  if (!event.empty()) out.append("event: ").append(event).append("\n");
  // Multi-line data gets one data: field per line (JSON from dump() has none).
  size_t start = 0;
  while (true) {
    auto nl = data.find('\n', start);
    out.append("data: ").append(data.substr(start, nl == std::string_view::npos ? nl : nl - start)).append("\n");
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  out.append("\n");
  return out;
}

}  // namespace cg::net
