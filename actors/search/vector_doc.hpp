#pragma once
// One searchable definition as the vector state keeps it.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "schema/node.hpp"

#include "actors/search/document.hpp"
#include "actors/search/vector_state.hpp"

namespace cg {

struct vector_state::doc {
  node_id id = 0;
  uint64_t content_hash = 0;
  node_kind kind = node_kind::function;
  language lang = language::unknown;
  uint32_t line = 0;
  uint32_t in_degree = 0;  // resolved calls, references and inheritance pointing here
  bool live = false;
  std::string name, qualified_name, file;
  std::string text;  // for external embedders only
  term_bag bag;
};

// What a sync found: new or changed definitions (to embed), retired slots (removed
// or changed), the callee names of the changed ones, and in-degrees (of everyone
// on a full pass, of the touched definitions on an incremental one).
struct vector_state::change_set {
  int64_t serial = 0;
  std::unordered_map<node_id, node> changed;
  std::vector<uint32_t> gone;
  std::unordered_map<node_id, std::vector<std::string>> callees;
  std::unordered_map<node_id, uint32_t> in_degree;
  bool full_in_degree = false;
};

// Definitions worth searching: code and types, not imports, locals or fields.
bool searchable_kind(node_kind k);

}  // namespace cg
