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
#include "bench/read_latency.hpp"
#include "storage/store.hpp"

using cg::bench::pct;
using cg::bench::read_latencies;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: cg_bench_layers DATA_DIR LAYER BASE [READS]\n");
    return 1;
  }
  auto db = cg::bench::open_read_only(argv[1]);
  if (!db) return 2;
  auto layer = db->project_id(argv[2]);
  auto base = db->project_id(argv[3]);
  if (!layer.ok() || !base.ok()) return std::fprintf(stderr, "no such project\n"), 2;
  size_t reads = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 5000;
  std::vector<cg::node_id> ids;
  (void)cg::graph_query(db->latest(), *layer).for_each_node([&](const cg::node& n) {
    if (n.kind != cg::node_kind::file) ids.push_back(n.id);
    return true;
  });
  if (ids.empty()) return std::fprintf(stderr, "no nodes in the layer\n"), 2;
  auto& store = *db;
  auto latest = [&store] { return store.latest(); };
  auto on_layer = cg::bench::measure_reads(*layer, ids, reads, latest, 7);
  auto on_base = cg::bench::measure_reads(*base, ids, reads, latest, 7);
  std::printf("reads of %zu random definitions of %s (%zu in all), each through a fresh view:\n", reads, argv[2],
              ids.size());
  auto row = [](const char* what, const read_latencies& l) {
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
