#pragma once
// One searchable definition as the vector state keeps it.
#include <cstdint>
#include <string>

#include "actors/vector/document.hpp"
#include "actors/vector/vector_state.hpp"

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
  std::string text;        // for external embedders only
  term_bag bag;
};

// Definitions worth searching: code and types, not imports, locals or fields.
bool searchable_kind(node_kind k);

}  // namespace cg
