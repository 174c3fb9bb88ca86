#pragma once
// The name index is a covering index: each entry carries what resolution and symbol
// search need (kind, language, modifiers, parent, name, qualified name, file), so
// loading a project's symbols is one sequential scan with no node reads.
#include <string>
#include <string_view>

#include "schema/node.hpp"
#include "schema/result.hpp"

namespace cg {

struct symbol_entry {
  node_id id = 0;
  node_id parent = 0;
  node_kind kind = node_kind::file;
  language lang = language::unknown;
  uint16_t modifiers = 0;
  uint32_t line = 0;
  std::string_view name;
  std::string_view qualified_name;
  std::string_view file;
  std::string_view type_name;
};

void encode_symbol_entry(const node& n, std::string& out);
// id comes from the key; the views point into `value`.
status decode_symbol_entry(std::string_view key, std::string_view value, symbol_entry& out);

}  // namespace cg
