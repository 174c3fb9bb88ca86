#include "net/app/metrics.hpp"

#include <cstdio>
#include <set>

namespace cg::net {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

namespace {
std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
}  // namespace

void metrics::observe_request(const std::string& route, const std::string& method, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, method, status}];
  auto& s = latency_[route];
  ++s.count;
  s.sum += seconds;
  for (size_t i = 0; i < buckets.size(); ++i)
    if (seconds <= buckets[i]) ++s.le[i];
}

void metrics::add_collector(std::function<void(std::vector<sample>&)> fn) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(fn));
}

std::string metrics::render() const {
  std::string out;
  std::vector<sample> extra;
  {
    std::lock_guard lock(mu_);
    out += "# HELP codegraph_http_requests_total HTTP requests by route, method and status.\n";
    out += "# TYPE codegraph_http_requests_total counter\n";
    for (const auto& [k, n] : requests_) {
      const auto& [route, method, status] = k;
      out += "codegraph_http_requests_total{route=\"" + escape_label(route) + "\",method=\"" + method + "\",code=\"" +
             std::to_string(status) + "\"} " + std::to_string(n) + "\n";
    }
    out += "# HELP codegraph_http_request_duration_seconds Time from a request's last byte to its response.\n";
    out += "# TYPE codegraph_http_request_duration_seconds histogram\n";
    for (const auto& [route, s] : latency_) {
      auto r = escape_label(route);
      for (size_t i = 0; i < buckets.size(); ++i)
        out += "codegraph_http_request_duration_seconds_bucket{route=\"" + r + "\",le=\"" + num(buckets[i]) + "\"} " +
               std::to_string(s.le[i]) + "\n";
      out += "codegraph_http_request_duration_seconds_bucket{route=\"" + r + "\",le=\"+Inf\"} " +
             std::to_string(s.count) + "\n";
      out += "codegraph_http_request_duration_seconds_sum{route=\"" + r + "\"} " + num(s.sum) + "\n";
      out += "codegraph_http_request_duration_seconds_count{route=\"" + r + "\"} " + std::to_string(s.count) + "\n";
    }
    for (const auto& c : collectors_) c(extra);
  }
  auto gauge = [&](const char* name, const char* help, const char* type, double v) {
    extra.push_back({name, help, type, {}, v});
  };
  gauge("codegraph_http_in_flight_requests", "Requests being handled.", "gauge", static_cast<double>(http_in_flight));
  gauge("codegraph_http_connections_total", "HTTP connections accepted.", "counter",
        static_cast<double>(http_connections_total));
  gauge("codegraph_rate_limited_total", "Requests refused with 429.", "counter",
        static_cast<double>(rate_limited_total));
  gauge("codegraph_auth_failures_total", "Requests refused with 401.", "counter",
        static_cast<double>(auth_failures_total));
  gauge("codegraph_requests_cancelled_total", "Requests whose client went away while they ran (cancelled).", "counter",
        static_cast<double>(requests_cancelled_total));
  gauge("codegraph_forbidden_origin_total", "Requests refused for their Origin or Host header.", "counter",
        static_cast<double>(forbidden_origin_total));
  gauge("codegraph_graphql_refused_cost_total", "GraphQL operations refused for their estimated cost.", "counter",
        static_cast<double>(graphql_refused_cost_total));
  extra.push_back({"codegraph_overloaded_total",
                   "Requests and operations refused for overload (503 with Retry-After, or a GraphQL OVERLOADED "
                   "error), by where the bound was: the worker pool's queue or a project's graph writer.",
                   "counter",
                   {{"where", "workers"}},
                   static_cast<double>(overloaded_workers_total)});
  gauge("codegraph_ws_connections", "Open WebSocket connections.", "gauge", static_cast<double>(ws_connections));
  gauge("codegraph_ws_queue_bytes", "Bytes queued for WebSocket clients.", "gauge",
        static_cast<double>(ws_queue_bytes));
  gauge("codegraph_ws_dropped_messages_total", "Messages dropped for slow WebSocket clients.", "counter",
        static_cast<double>(ws_dropped_messages));
  gauge("codegraph_coalesced_messages_total",
        "Subscription messages superseded by a newer one with the same key before they were sent (WebSocket and SSE).",
        "counter", static_cast<double>(coalesced_messages));
  gauge("codegraph_ws_slow_consumer_closes_total", "WebSocket clients closed for being too slow.", "counter",
        static_cast<double>(ws_slow_closes));
  // Group samples by metric name: one HELP/TYPE block each.
  std::set<std::string> seen;
  for (size_t i = 0; i < extra.size(); ++i) {
    const auto& name = extra[i].name;
    if (!seen.insert(name).second) continue;
    out += "# HELP " + name + " " + extra[i].help + "\n# TYPE " + name + " " + extra[i].type + "\n";
    for (size_t j = i; j < extra.size(); ++j) {
      if (extra[j].name != name) continue;
      out += name;
      if (!extra[j].labels.empty()) {
        out += "{";
        for (size_t l = 0; l < extra[j].labels.size(); ++l)
          out += (l ? "," : "") + extra[j].labels[l].first + "=\"" + escape_label(extra[j].labels[l].second) + "\"";
        out += "}";
      }
      out += " " + num(extra[j].value) + "\n";
    }
  }
  return out;
}

}  // namespace cg::net
