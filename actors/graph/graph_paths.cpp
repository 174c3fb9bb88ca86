// graph_query: paging through nodes and shortest paths.
#include <algorithm>
#include <unordered_map>

#include "actors/graph/graph_query.hpp"
#include "schema/codec.hpp"
#include "storage/keys.hpp"

namespace cg {

result<std::vector<node>> graph_query::list_nodes(node_id after, size_t limit,
                                                  const std::function<bool(const node&)>& keep, node_id* next,
                                                  size_t max_scan) const {
  std::vector<node> out;
  *next = 0;
  if (after == ~node_id{0}) return out;
  auto start = keys::node(proj_, after + 1);
  auto end = keys::project_prefix(proj_ + 1);
  auto cur = view_.scan_from(column::nodes, start, end);
  size_t scanned = 0;
  node_id last = after;
  for (; cur.valid(); cur.next()) {
    auto id = keys::node_id_of(cur.key());
    if (out.size() >= limit || scanned >= max_scan) {
      *next = last;  // more remain: resume after the last one looked at
      break;
    }
    ++scanned;
    last = id;
    auto n = decode_node(cur.value(), id);
    if (!n.ok()) return n.err();
    if (!keep || keep(*n)) out.push_back(std::move(*n));
  }
  if (auto s = cur.status_of(); !s.ok()) return s.err();
  return out;
}

result<std::vector<edge>> graph_query::path(node_id from, node_id to, const std::vector<edge_kind>& kinds,
                                            int max_depth, size_t max_visited) const {
  std::vector<edge> out;
  if (from == to) return out;
  // Breadth first; parent edge per reached node.
  std::unordered_map<node_id, edge> via;
  via.reserve(1024);
  std::vector<node_id> frontier{from};
  via.emplace(from, edge{});
  for (int d = 1; d <= max_depth && !frontier.empty() && via.size() < max_visited; ++d) {
    std::vector<node_id> next;
    for (auto n : frontier) {
      auto step = outgoing(n, kinds, 1, 100000);
      if (!step.ok()) return step.err();
      for (auto& nb : *step) {
        if (!nb.via.resolved()) continue;
        auto far = nb.via.target;
        if (via.count(far)) continue;
        via.emplace(far, nb.via);
        if (far == to) {
          for (node_id at = to; at != from;) {
            const auto& e = via.at(at);
            out.push_back(e);
            at = e.source;
          }
          std::reverse(out.begin(), out.end());
          return out;
        }
        next.push_back(far);
      }
    }
    frontier = std::move(next);
  }
  return out;
}

}  // namespace cg
