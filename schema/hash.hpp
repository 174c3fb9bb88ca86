#pragma once
// A fast 64-bit non-cryptographic hash for ids and content hashes.
#include <cstdint>
#include <string_view>

#include "schema/kinds.hpp"
#include "schema/node.hpp"

namespace cg {

uint64_t hash64(std::string_view bytes, uint64_t seed = 0);

// Stable node id: project, file, qualified name and kind (plus an ordinal for the
// second and later definitions of the same qualified name and kind in one file).
node_id make_node_id(std::string_view project, std::string_view file, std::string_view qualified_name, node_kind kind,
                     uint32_t ordinal = 0);

// The placeholder target of an unresolved edge: one per simple name, so that a new
// definition of that name finds every edge that may now resolve to it.
node_id unresolved_target_id(std::string_view simple_name);

// Hex rendering of ids (16 lowercase digits) and its inverse.
std::string format_id(node_id id);
bool parse_id(std::string_view s, node_id& out);

}  // namespace cg
