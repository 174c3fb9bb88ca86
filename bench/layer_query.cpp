// Read latency through a layer (a second work tree stored as its differences over a
// version of its base project) beside the same reads of the base's newest state: node
// by id and callers (depth 1) of the same random definitions, each through a fresh
// view as a server request would get it. Prints p50/p99 of each and their ratio.
//   cg_bench_layers DATA_DIR LAYER BASE [READS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "actors/graph/graph_query.hpp"
#include "storage/store.hpp"

namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

struct latencies {
  std::vector<double> by_id, callers;
  size_t found = 0, edges = 0;
};

latencies measure(cg::store& db, uint32_t proj, const std::vector<cg::node_id>& ids, size_t reads) {
  latencies out;
  std::mt19937_64 rng(7);
  for (size_t i = 0; i < reads; ++i) {
    auto id = ids[rng() % ids.size()];
    auto t = std::chrono::steady_clock::now();
    auto n = cg::graph_query(db.latest(), proj).get(id);
    out.by_id.push_back(ms_since(t));
    out.found += n.ok() && n->has_value();
    t = std::chrono::steady_clock::now();
    auto c =
        cg::graph_query(db.latest(), proj).incoming(id, {cg::edge_kind::calls, cg::edge_kind::instantiates}, 1, 100);
    out.callers.push_back(ms_since(t));
    if (c.ok()) out.edges += c->size();
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: cg_bench_layers DATA_DIR LAYER BASE [READS]\n");
    return 1;
  }
  cg::store_options so;
  so.dir = argv[1];
  so.read_only = true;
  auto db = cg::store::open(so);
  if (!db.ok()) return std::fprintf(stderr, "%s\n", db.err().message.c_str()), 2;
  auto layer = (*db)->project_id(argv[2]);
  auto base = (*db)->project_id(argv[3]);
  if (!layer.ok() || !base.ok()) return std::fprintf(stderr, "no such project\n"), 2;
  size_t reads = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 5000;
  std::vector<cg::node_id> ids;
  (void)cg::graph_query((*db)->latest(), *layer).for_each_node([&](const cg::node& n) {
    if (n.kind != cg::node_kind::file) ids.push_back(n.id);
    return true;
  });
  if (ids.empty()) return std::fprintf(stderr, "no nodes in the layer\n"), 2;
  auto on_layer = measure(**db, *layer, ids, reads);
  auto on_base = measure(**db, *base, ids, reads);
  std::printf("reads of %zu random definitions of %s (%zu in all), each through a fresh view:\n", reads, argv[2],
              ids.size());
  auto row = [](const char* what, const latencies& l) {
    std::printf(
        "  %-28s node by id p50 %.4f ms p99 %.4f ms; callers p50 %.4f ms p99 %.4f ms (%zu found, %zu callers)\n", what,
        pct(l.by_id, 0.5), pct(l.by_id, 0.99), pct(l.callers, 0.5), pct(l.callers, 0.99), l.found, l.edges);
  };
  row("the layer:", on_layer);
  row("its base's newest state:", on_base);
  std::printf("  layer / base: node by id p99 %.2fx, callers p99 %.2fx\n",
              pct(on_layer.by_id, 0.99) / std::max(pct(on_base.by_id, 0.99), 1e-9),
              pct(on_layer.callers, 0.99) / std::max(pct(on_base.callers, 0.99), 1e-9));
  return on_layer.found == reads ? 0 : 3;
}
