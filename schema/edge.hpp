#pragma once
// Edge: a directed relationship between two nodes, with the places it occurs.
#include <cstdint>
#include <string>
#include <vector>

#include "schema/kinds.hpp"
#include "schema/node.hpp"

namespace cg {

struct edge_site {
  uint32_t line = 0;
  uint32_t column = 0;
  bool operator==(const edge_site&) const = default;
};

struct edge {
  node_id source = 0;
  node_id target = 0;  // for an unresolved edge: unresolved_target_id(target_name)
  edge_kind kind = edge_kind::contains;
  resolution how = resolution::local;
  std::string target_name;       // the reference as written ("self.save", "os.path.join")
  std::vector<edge_site> sites;  // every call or reference site, in source order

  // Whether the target is a node of the graph (not unresolved, not external).
  bool resolved() const { return how != resolution::unresolved && how != resolution::external; }
  bool operator==(const edge&) const = default;
};

}  // namespace cg
