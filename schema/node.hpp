#pragma once
// Node: one definition (or file, module, import) in the code graph.
#include <cstdint>
#include <string>

#include "schema/kinds.hpp"

namespace cg {

using node_id = uint64_t;

// Lines are 1-based; columns are 1-based byte offsets within the line.
struct text_pos {
  uint32_t line = 0;
  uint32_t column = 0;
  bool operator==(const text_pos&) const = default;
};

struct text_span {
  text_pos start;
  text_pos end;
  uint32_t start_byte = 0;
  uint32_t end_byte = 0;
  bool operator==(const text_span&) const = default;
};

struct node {
  node_id id = 0;
  node_kind kind = node_kind::file;
  language lang = language::unknown;
  visibility vis = visibility::none;
  uint16_t modifiers = 0;  // cg::modifier bits
  std::string name;
  std::string qualified_name;
  std::string file;   // path relative to the project root, '/' separated
  text_span span;     // the whole definition, decorators and annotations included
  text_pos name_pos;  // where the name is: the "line" users see
  std::string signature;
  std::string type_name;  // declared type (fields, variables) or return type (functions), as written
  std::string docstring;
  uint64_t content_hash = 0;  // hash of the definition's source text
  node_id parent = 0;         // the containing node (0 for a file node)

  bool has(uint16_t m) const { return (modifiers & m) != 0; }
  uint32_t line() const { return name_pos.line; }
  bool operator==(const node&) const = default;
};

}  // namespace cg
