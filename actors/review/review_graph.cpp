#include "actors/review/review_graph.hpp"

namespace cg {
namespace {

// The edges along which a change reaches further: a use of the changed definition.
const std::vector<edge_kind>& use_kinds() {
  static const std::vector<edge_kind> kinds{edge_kind::calls,    edge_kind::instantiates, edge_kind::references,
                                            edge_kind::inherits, edge_kind::implements,   edge_kind::overrides,
                                            edge_kind::uses,     edge_kind::type_of};
  return kinds;
}

}  // namespace

result<const std::vector<neighbor>*> review_graph::users(node_id id) {
  auto it = users_.find(id);
  if (it != users_.end()) return &it->second;
  auto in = q_->incoming(id, use_kinds(), 1, 100000);
  if (!in.ok()) return in.err();
  // Dispatching callers come through the methods it overrides: their edges count too.
  auto above = q_->overridden(id);
  if (!above.ok()) return above.err();
  ++reads_;
  std::vector<neighbor> keep;
  for (auto& nb : *in)
    if (nb.n && nb.n->kind != node_kind::import && nb.n->id != id) {
      held_in_[nb.n->id].push_back(id);
      keep.push_back(std::move(nb));
    }
  edge_deps_[id].push_back(id);
  for (auto m : *above) edge_deps_[m].push_back(id);
  return &users_.emplace(id, std::move(keep)).first->second;
}

result<const std::vector<node>*> review_graph::outline(const std::string& file) {
  auto it = outlines_.find(file);
  if (it != outlines_.end()) return &it->second;
  auto o = q_->outline(file);
  if (!o.ok()) return o.err();
  ++reads_;
  for (const auto& n : *o) outline_of_[n.id] = file;
  return &outlines_.emplace(file, std::move(*o)).first->second;
}

void review_graph::forget_edges_of(node_id id) {
  auto it = edge_deps_.find(id);
  if (it == edge_deps_.end()) return;
  for (auto owner : it->second) users_.erase(owner);
  edge_deps_.erase(it);
}

void review_graph::forget_node(node_id id) {
  forget_edges_of(id);  // dispatch reads the overridden method itself too
  if (auto it = held_in_.find(id); it != held_in_.end()) {
    for (auto owner : it->second) users_.erase(owner);
    held_in_.erase(it);
  }
  if (auto it = outline_of_.find(id); it != outline_of_.end()) {
    outlines_.erase(it->second);
    outline_of_.erase(it);
  }
}

void review_graph::clear() {
  users_.clear();
  outlines_.clear();
  edge_deps_.clear();
  held_in_.clear();
  outline_of_.clear();
}

}  // namespace cg
