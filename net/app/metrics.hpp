#pragma once
// Prometheus metrics: request counts and latency histograms per route, plus gauges
// read at scrape time (connections, queue bytes, tasks, store and index sizes,
// mailbox depths, cache hit rate). Text exposition format 0.0.4. Thread-safe.
#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace cg::net {

class metrics {
 public:
  static constexpr std::array<double, 12> buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  void observe_request(const std::string& route, const std::string& method, int status, double seconds);

  // A sample: metric name, help, type ("gauge" or "counter"), labels, value.
  struct sample {
    std::string name, help, type;
    std::vector<std::pair<std::string, std::string>> labels;
    double value = 0;
  };
  // Called at every scrape; appends samples.
  void add_collector(std::function<void(std::vector<sample>&)> fn);

  std::string render() const;

  std::atomic<int64_t> ws_connections{0};
  std::atomic<int64_t> ws_queue_bytes{0};
  std::atomic<uint64_t> ws_dropped_messages{0};
  std::atomic<uint64_t> coalesced_messages{0};  // superseded before they were sent (WebSocket and SSE)
  std::atomic<uint64_t> ws_slow_closes{0};
  std::atomic<int64_t> http_in_flight{0};
  std::atomic<uint64_t> http_connections_total{0};
  std::atomic<uint64_t> rate_limited_total{0};
  std::atomic<uint64_t> auth_failures_total{0};
  std::atomic<uint64_t> requests_cancelled_total{0};    // the client went away while its request ran
  std::atomic<uint64_t> forbidden_origin_total{0};      // Origin or Host refused (CSRF, DNS rebinding)
  std::atomic<uint64_t> graphql_refused_cost_total{0};  // over graphql_max_cost
  std::atomic<uint64_t> overloaded_workers_total{0};    // refused: the worker pool's queue was full

 private:
  struct series {
    uint64_t count = 0;
    double sum = 0;
    std::array<uint64_t, buckets.size()> le{};
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // route, method, status
  std::map<std::string, series> latency_;                                   // by route
  std::vector<std::function<void(std::vector<sample>&)>> collectors_;
};

std::string escape_label(const std::string& v);

}  // namespace cg::net
