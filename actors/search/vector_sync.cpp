// How a sync finds what changed: a full pass over the project's nodes and edges, or
// (once synced) only the files the graph's change log names since the last sync.
#include <algorithm>
#include <unordered_set>

#include "actors/graph/graph_query.hpp"
#include "actors/search/parallel.hpp"
#include "actors/search/vector_doc.hpp"
#include "schema/codec.hpp"
#include "storage/keys.hpp"

namespace cg {

status vector_state::collect_all(const read_view& v, uint32_t proj, change_set& cs) const {
  // Two passes at once (the nodes here, the edges on a second core), then joined: the
  // callees of changed definitions and the in-degree of searchable ones.
  std::unordered_set<node_id> seen;
  std::unordered_map<node_id, std::vector<std::string>> callees;  // of every caller
  std::unordered_map<node_id, uint32_t> in_degree;                // of every target
  status nodes_st, edges_st;
  auto node_pass = [&] {
    graph_query q(v, proj);
    nodes_st = q.for_each_node([&](const node& n) {
      if (!searchable_kind(n.kind)) return true;
      seen.insert(n.id);
      auto it = slot_of_.find(n.id);
      if (it == slot_of_.end() || docs_[it->second].content_hash != n.content_hash) cs.changed.emplace(n.id, n);
      return true;
    });
  };
  auto edge_pass = [&] {
    edge e;
    edges_st = v.for_each(column::edges, keys::project_prefix(proj), [&](std::string_view k, std::string_view val) {
      auto parts = keys::parse_edge_key(k);
      if (parts.kind == edge_kind::contains) return true;
      if (parts.kind == edge_kind::calls && decode_edge_value(val, e).ok() && !e.target_name.empty())
        callees[parts.first].push_back(e.target_name);
      ++in_degree[parts.second];
      return true;
    });
  };
  parallel_ranges(2, parallel_parts(2, 2), [&](size_t, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) i == 0 ? node_pass() : edge_pass();
  });
  if (!nodes_st.ok()) return nodes_st;
  if (!edges_st.ok()) return edges_st;
  for (auto& [id, names] : callees)
    if (cs.changed.count(id)) cs.callees.emplace(id, std::move(names));
  for (const auto& [id, deg] : in_degree)
    if (seen.count(id)) cs.in_degree.emplace(id, deg);
  for (const auto& [id, slot] : slot_of_)
    if (!seen.count(id) || cs.changed.count(id)) cs.gone.push_back(slot);
  cs.full_in_degree = true;
  return {};
}

status vector_state::collect_files(const read_view& v, uint32_t proj, const std::vector<std::string>& files,
                                   change_set& cs) const {
  std::unordered_set<node_id> touched;  // whose in-degree may have moved
  std::unordered_set<uint32_t> gone;
  edge e;
  for (const auto& path : files) {
    // The file's nodes now (none when it was removed).
    std::vector<std::string> node_keys;
    auto st = v.for_each(column::idx, keys::file_index_prefix(proj, path), [&](std::string_view k, std::string_view) {
      node_keys.push_back(keys::node(proj, keys::trailing_id(k)));
      return true;
    });
    if (!st.ok()) return st;
    auto got = v.multi_get(column::nodes, node_keys);
    if (!got.ok()) return got.err();
    std::unordered_set<node_id> here;
    for (size_t i = 0; i < node_keys.size(); ++i) {
      if (!(*got)[i]) continue;
      auto n = decode_node(*(*got)[i], keys::node_id_of(node_keys[i]));
      if (!n.ok()) return n.err();
      // Out-edges of every node in the file: callee names, and targets whose
      // in-degree this file contributes to.
      st = v.for_each(column::edges, keys::edge_prefix(proj, n->id), [&](std::string_view k, std::string_view val) {
        auto parts = keys::parse_edge_key(k);
        if (parts.kind == edge_kind::contains) return true;
        touched.insert(parts.second);
        if (parts.kind == edge_kind::calls && searchable_kind(n->kind) && decode_edge_value(val, e).ok() &&
            !e.target_name.empty())
          cs.callees[n->id].push_back(e.target_name);
        return true;
      });
      if (!st.ok()) return st;
      if (!searchable_kind(n->kind)) continue;
      here.insert(n->id);
      touched.insert(n->id);
      auto it = slot_of_.find(n->id);
      if (it == slot_of_.end() || docs_[it->second].content_hash != n->content_hash) {
        if (it != slot_of_.end()) gone.insert(it->second);
        cs.changed.emplace(n->id, std::move(*n));
      }
    }
    // What the file had and no longer has.
    if (auto f = file_slots_.find(path); f != file_slots_.end())
      for (auto slot : f->second)
        if (!here.count(docs_[slot].id)) gone.insert(slot);
  }
  // Callee names only matter for definitions being (re-)embedded.
  for (auto it = cs.callees.begin(); it != cs.callees.end();)
    it = cs.changed.count(it->first) ? std::next(it) : cs.callees.erase(it);
  // In-degrees of the touched definitions, counted on the reverse edges. Targets that
  // lost an edge from a removed node are refreshed by the next full pass.
  for (auto id : touched) {
    if (!slot_of_.count(id) && !cs.changed.count(id)) continue;
    uint32_t deg = 0;
    auto st = v.for_each(column::redges, keys::edge_prefix(proj, id), [&](std::string_view k, std::string_view) {
      if (keys::parse_edge_key(k).kind != edge_kind::contains) ++deg;
      return true;
    });
    if (!st.ok()) return st;
    cs.in_degree[id] = deg;
  }
  cs.gone.assign(gone.begin(), gone.end());
  std::sort(cs.gone.begin(), cs.gone.end());
  return {};
}

void vector_state::index_files() {
  file_slots_.clear();
  for (uint32_t s = 0; s < docs_.size(); ++s)
    if (docs_[s].live) file_slots_[docs_[s].file].push_back(s);
}

}  // namespace cg
