#pragma once
// Changes to manual nodes (graph_state::apply_manual): one, or a set applied as one
// write, all or none, optionally committed as one version (a transaction).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "schema/node.hpp"
#include "schema/result.hpp"

namespace cg {

struct manual_op {
  enum class what : uint8_t { create, update, remove } op = what::create;
  node n;                              // create: the new node
  node_id id = 0;                      // update, remove
  std::function<status(node&)> patch;  // update (runs on the graph actor: must not block)
};

struct manual_edits {
  std::vector<manual_op> ops;
  bool as_version = false;  // commit them as one version when the project keeps versions
  std::string message;      // the version's message
};

struct manual_outcome {
  std::vector<node> nodes;  // per op, in order: the node as written (remove: its id only)
  uint64_t version = 0;     // the version committed (0: none)
};

}  // namespace cg
