#pragma once
// Read latency of graph queries, shared by the versions and layers benches: node by id
// and callers (depth 1) of random definitions, each through a fresh view as a server
// request would get it, and percentiles.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "actors/graph/graph_query.hpp"
#include "storage/store.hpp"

namespace cg::bench {

inline double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

inline double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// The store in dir, read-only (null, said on stderr, when it cannot be opened).
inline std::unique_ptr<store> open_read_only(const char* dir) {
  store_options so;
  so.dir = dir;
  so.read_only = true;
  auto db = store::open(so);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.err().message.c_str());
    return nullptr;
  }
  return std::move(*db);
}

struct read_latencies {
  std::vector<double> by_id, callers;
  size_t found = 0, edges = 0;
};

// `reads` random picks of ids (seeded), each read through make_view() (the view's
// making is timed with the read).
inline read_latencies measure_reads(uint32_t proj, const std::vector<node_id>& ids, size_t reads,
                                    const std::function<read_view()>& make_view, uint64_t seed = 42) {
  read_latencies out;
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < reads; ++i) {
    auto id = ids[rng() % ids.size()];
    auto t = std::chrono::steady_clock::now();
    auto n = graph_query(make_view(), proj).get(id);
    out.by_id.push_back(ms_since(t));
    out.found += n.ok() && n->has_value();
    t = std::chrono::steady_clock::now();
    auto c = graph_query(make_view(), proj).incoming(id, {edge_kind::calls, edge_kind::instantiates}, 1, 100);
    out.callers.push_back(ms_since(t));
    if (c.ok()) out.edges += c->size();
  }
  return out;
}

}  // namespace cg::bench
