// Time-travel read latency: node by id and callers (depth 1) at one version of a
// project, each read through its own as_of view (as a server request would get it).
// Prints the first view's build time, then p50/p99 per read kind; then search at that
// version as the engine runs it (a search state built from the version's view on
// first use, exact, brute force): the build, and warm query latency beside the same
// over the newest state.
//   cg_bench_versions DATA_DIR PROJECT VERSION [READS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "actors/graph/graph_query.hpp"
#include "actors/search/vector_state.hpp"
#include "bench/read_latency.hpp"
#include "storage/store.hpp"

namespace {

using cg::bench::ms_since;
using cg::bench::pct;

// Builds a search state from a view as engine::search does for `at`; prints the build
// time and the p50/p99 of searching it for each query.
void search_at(const char* what, const cg::read_view& view, uint32_t proj, const std::vector<std::string>& queries) {
  cg::vector_options o;
  o.kind = cg::index_kind::flat;
  o.background_index = false;
  cg::vector_state st(o);
  auto t0 = std::chrono::steady_clock::now();
  auto synced = st.sync(view, proj, 0);
  if (!synced.ok()) {
    std::fprintf(stderr, "search state: %s\n", synced.err().message.c_str());
    return;
  }
  double build = ms_since(t0);
  std::vector<double> lat;
  for (int round = 0; round < 3; ++round)
    for (const auto& q : queries) {
      cg::search_request req;
      req.query = q;
      req.mode = cg::search_mode::exact;
      auto t = std::chrono::steady_clock::now();
      auto hits = st.search(req, view, proj);
      lat.push_back(ms_since(t));
      if (!hits.ok()) std::fprintf(stderr, "search: %s\n", hits.err().message.c_str());
    }
  std::printf("search %-14s state built in %.0f ms (%zu definitions); queries p50 %.2f ms  p99 %.2f ms\n", what, build,
              st.live_documents(), pct(lat, 0.5), pct(lat, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: cg_bench_versions DATA_DIR PROJECT VERSION [READS]\n");
    return 1;
  }
  auto db = cg::bench::open_read_only(argv[1]);
  if (!db) return 2;
  auto proj = db->project_id(argv[2]);
  if (!proj.ok()) return std::fprintf(stderr, "%s\n", proj.err().message.c_str()), 2;
  uint64_t version = std::strtoull(argv[3], nullptr, 10);
  size_t reads = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 5000;
  auto t0 = std::chrono::steady_clock::now();
  auto first = db->as_of(*proj, version);
  if (!first.ok()) return std::fprintf(stderr, "%s\n", first.err().message.c_str()), 2;
  double build_ms = ms_since(t0);
  std::vector<cg::node_id> ids;
  cg::graph_query all(*first, *proj);
  (void)all.for_each_node([&](const cg::node& n) {
    if (n.kind != cg::node_kind::file) ids.push_back(n.id);
    return true;
  });
  if (ids.empty()) return std::fprintf(stderr, "no nodes at version %llu\n", (unsigned long long)version), 2;
  auto& store = *db;
  auto at = [&store, p = *proj, version] { return *store.as_of(p, version); };
  auto lat = cg::bench::measure_reads(*proj, ids, reads, at);
  const auto &by_id = lat.by_id, &callers = lat.callers;
  const size_t found = lat.found, edges = lat.edges;
  std::printf("version %llu: %zu definitions, %zu found of %zu reads, %zu callers in all\n",
              (unsigned long long)version, ids.size(), found, reads, edges);
  std::printf("first view (overlay build): %.2f ms\n", build_ms);
  std::printf("node by id:        p50 %.3f ms  p99 %.3f ms  (target p99 <= 2 ms)\n", pct(by_id, 0.5), pct(by_id, 0.99));
  std::printf("callers, depth 1:  p50 %.3f ms  p99 %.3f ms  (target p99 <= 5 ms)\n", pct(callers, 0.5),
              pct(callers, 0.99));
  // Queries: the names of some of the version's definitions, split into words.
  std::vector<std::string> queries;
  (void)all.for_each_node([&](const cg::node& n) {
    if (n.kind == cg::node_kind::function && queries.size() < 50 && n.name.size() > 4) {
      std::string q = n.name;
      std::replace(q.begin(), q.end(), '_', ' ');
      queries.push_back(q);
    }
    return true;
  });
  search_at("at the version:", *first, *proj, queries);
  search_at("newest state:", db->latest(), *proj, queries);
  return found == reads ? 0 : 3;
}
