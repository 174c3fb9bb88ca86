#pragma once
// One end of a review (the base's or the target's graph) as the review reads it: the
// users of a definition (what reaches it by a call, an instantiation, a reference,
// inheritance or an override, and the dispatching callers of what it overrides) and a
// file's outline, each read once and kept. A live review keeps them from one report
// to the next and forgets only what the writes in between touched (`forget_*`).
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "actors/graph/graph_query.hpp"
#include "schema/result.hpp"
#include "storage/store.hpp"

namespace cg {

class review_graph {
 public:
  explicit review_graph(uint32_t proj) : proj_(proj) {}

  // Reads from now on go to this view; what is kept stays (forget what changed).
  void set_view(read_view v) { q_.emplace(std::move(v), proj_); }
  bool has_view() const { return q_.has_value(); }
  const graph_query& query() const { return *q_; }

  result<const std::vector<neighbor>*> users(node_id id);
  result<const std::vector<node>*> outline(const std::string& file);

  // The incoming edges of `id` changed, or its outgoing ones (an override): every
  // kept list that read them.
  void forget_edges_of(node_id id);
  // The node itself changed (or went): the lists that hold it or read its edges, and
  // its file's outline.
  void forget_node(node_id id);
  void forget_outline(const std::string& file) { outlines_.erase(file); }
  // Whether a kept list or outline would be forgotten by a change of these.
  bool reads_edges_of(node_id id) const { return edge_deps_.count(id) > 0; }
  bool holds(node_id id) const {
    return held_in_.count(id) > 0 || outline_of_.count(id) > 0 || edge_deps_.count(id) > 0;
  }
  void clear();

  size_t reads() const { return reads_; }  // lists and outlines read from the store so far

 private:
  uint32_t proj_;
  std::optional<graph_query> q_;
  std::unordered_map<node_id, std::vector<neighbor>> users_;
  std::unordered_map<std::string, std::vector<node>> outlines_;
  // Whose kept list depends on a node's edges (the node itself and what it overrides),
  // holds a node, or which outline holds it.
  std::unordered_map<node_id, std::vector<node_id>> edge_deps_, held_in_;
  std::unordered_map<node_id, std::string> outline_of_;
  size_t reads_ = 0;
};

struct review_report;
struct review_request;
struct version_diff;
// A report's versions and depths, before anything is compared.
result<review_report> review_head(const store& db, uint32_t proj, const review_request& req);
// The report from a diff's definitions (`head` from review_head) and the graphs at both
// ends: the walks, tests, API changes, trust and risk.
result<review_report> review_of_diff(const version_diff& d, review_report head, const review_request& req,
                                     review_graph& base, review_graph& target);

}  // namespace cg
