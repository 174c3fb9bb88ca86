#pragma once
// Read-only questions about one project's graph, answered from one consistent
// snapshot (RocksDB reads are thread-safe: queries never queue behind writes).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "schema/edge.hpp"
#include "schema/file_record.hpp"
#include "schema/node.hpp"
#include "schema/result.hpp"
#include "storage/store.hpp"

namespace cg {

struct symbol_match {
  node n;
  enum class how : uint8_t { exact, qualified, case_insensitive, prefix, substring, fuzzy } match = how::exact;
  double score = 0;  // higher is better
};
std::string_view to_string(symbol_match::how h);

struct symbol_query {
  std::string text;
  bool fuzzy = true;             // beyond exact names: prefix, substring, typo-tolerant
  std::vector<node_kind> kinds;  // empty: every definition kind (not files or imports)
  std::vector<language> languages;
  size_t limit = 50;
};

// One step of a traversal: the edge walked and the node at its far end (absent for
// unresolved and external targets).
struct neighbor {
  int depth = 1;
  edge via;
  std::optional<node> n;
};

struct file_dependency {
  std::string path;  // the other file
  int depth = 1;
  std::vector<std::pair<edge_kind, uint32_t>> kinds;  // how many edges of each kind connect them
};

struct graph_stats {
  std::vector<std::pair<node_kind, int64_t>> nodes;
  struct edge_count {
    edge_kind kind;
    int64_t total = 0, unresolved = 0, external = 0;
  };
  std::vector<edge_count> edges;
  struct language_count {
    language lang;
    int64_t files = 0, loc = 0, bytes = 0;
  };
  std::vector<language_count> languages;
  int64_t files_with_errors = 0;
  int64_t total_nodes() const;
  int64_t total_edges() const;
  // Resolved share of references (calls, imports, inherits, implements, references,
  // type_of, overrides, uses); external references are counted apart.
  int64_t references() const;
  int64_t resolved_references() const;
  int64_t external_references() const;
};

class graph_query {
 public:
  graph_query(read_view view, uint32_t project);

  result<std::optional<node>> get(node_id id) const;
  result<std::vector<node>> get_many(const std::vector<node_id>& ids) const;  // skips missing
  result<std::vector<node>> outline(std::string_view path) const;             // in source order
  // The methods a method overrides, transitively (whose callers may dispatch to it).
  result<std::vector<node_id>> overridden(node_id method) const;
  result<std::optional<file_record>> file(std::string_view path) const;
  result<std::vector<file_record>> files() const;

  result<std::vector<symbol_match>> find(const symbol_query& q) const;

  // Kinds empty: every kind but contains.
  result<std::vector<neighbor>> outgoing(node_id from, const std::vector<edge_kind>& kinds, int depth,
                                         size_t limit) const;
  result<std::vector<neighbor>> incoming(node_id to, const std::vector<edge_kind>& kinds, int depth,
                                         size_t limit) const;
  result<std::vector<file_dependency>> file_dependencies(std::string_view path, int depth, bool reverse) const;

  graph_stats stats() const;

  // Nodes in id order after `after` (0: from the start) that pass keep, up to limit;
  // *next is the cursor for the following page (0 when there is none). At most
  // max_scan nodes are looked at per call, so a rare filter still answers promptly.
  result<std::vector<node>> list_nodes(node_id after, size_t limit, const std::function<bool(const node&)>& keep,
                                       node_id* next, size_t max_scan = 200000) const;
  // A shortest path along edges of these kinds (empty: every kind but contains), as
  // the edges walked from `from` to `to`; empty when none within max_depth.
  result<std::vector<edge>> path(node_id from, node_id to, const std::vector<edge_kind>& kinds, int max_depth,
                                 size_t max_visited = 100000) const;

  // Every node, then every edge (export).
  status for_each_node(const std::function<bool(const node&)>& fn) const;
  status for_each_edge(const std::function<bool(const edge&)>& fn) const;

 private:
  static edge contains_edge(const node& child);
  result<std::vector<edge>> contains_edges(node_id id, bool to_parent) const;
  result<std::vector<edge>> dispatch_edges(const std::vector<node_id>& frontier, const std::vector<edge>& level,
                                           bool reverse) const;
  result<std::vector<neighbor>> walk(node_id start, const std::vector<edge_kind>& kinds, int depth, size_t limit,
                                     bool reverse) const;
  read_view view_;
  uint32_t proj_;
};

}  // namespace cg
