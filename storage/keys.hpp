#pragma once
// Key layout of every column family. All keys start with the 4-byte big-endian
// project id, so every per-project read is a prefix scan; ids and kinds are
// fixed-width big-endian so related keys sort together.
//
//   nodes   proj | node_id                       -> node record
//   edges   proj | src | edge_kind | dst         -> edge value (how, target as written, sites)
//           (contains edges are not stored: a node's parent field is the edge)
//   redges  proj | dst | edge_kind | src         -> the same edge value
//   idx     proj | 'n' | lower(name) 0 | id      -> symbol entry (covering: kind, name, qname, file, parent)
//           proj | 'f' | path 0 | id             -> kind byte
//           proj | 'k' | kind | id               -> ""
//   meta    0000 | 'P' | project name            -> project id (be32)
//           0000 | 'I' | project name            -> project info (JSON: root, times)
//           0000 | 'S'                           -> schema version
//           0000 | 'L' | layer id (be32)          -> its base: project (be32), version (be64)
//           proj | 'M' | path                    -> file record
//           proj | 'R' | path                    -> the file's unresolved references (parser output)
//           proj | 'D' | path                    -> "" while the file's references await resolution
//           proj | 'C' | counter name            -> int64 (merge: add)
//   versions (reserved for the versioning issue)
#include <cstdint>
#include <string>
#include <string_view>

#include "schema/kinds.hpp"
#include "schema/node.hpp"

namespace cg::keys {

inline constexpr char tag_name = 'n', tag_file = 'f', tag_kind = 'k';
inline constexpr char tag_project = 'P', tag_project_info = 'I', tag_schema = 'S', tag_layer = 'L', tag_manifest = 'M',
                      tag_refs = 'R', tag_pending = 'D', tag_counter = 'C', tag_changed = 'X', tag_args_in = 'A',
                      tag_args_out = 'O';

std::string project_prefix(uint32_t proj);

std::string node(uint32_t proj, node_id id);
node_id node_id_of(std::string_view node_key);

std::string edge(uint32_t proj, node_id from, edge_kind k, node_id to);
std::string edge_prefix(uint32_t proj, node_id from);
std::string edge_prefix(uint32_t proj, node_id from, edge_kind k);
struct edge_key_parts {
  node_id first = 0;  // src in edges, dst in redges
  edge_kind kind = edge_kind::contains;
  node_id second = 0;  // dst in edges, src in redges
};
edge_key_parts parse_edge_key(std::string_view key);
// An edges key as the redges key of the same edge (and back); empty if not an edge key.
std::string mirror_edge_key(std::string_view key);

std::string name_index(uint32_t proj, std::string_view lower_name, node_id id);
std::string name_prefix(uint32_t proj, std::string_view lower_name, bool exact);
std::string file_index(uint32_t proj, std::string_view path, node_id id);
std::string file_index_prefix(uint32_t proj, std::string_view path);
std::string kind_index(uint32_t proj, node_kind k, node_id id);
std::string kind_prefix(uint32_t proj, node_kind k);
std::string index_tag_prefix(uint32_t proj, char tag);
node_id trailing_id(std::string_view key);  // the last 8 bytes of an index key

std::string project(std::string_view name);
std::string project_info(std::string_view name);
std::string schema_version();
// A layered project's base (store_layers.cpp); layer_prefix() lists every layer.
std::string layer(uint32_t proj);
std::string layer_prefix();
std::string meta_tag_prefix(uint32_t proj, char tag);
std::string manifest(uint32_t proj, std::string_view path);
std::string refs(uint32_t proj, std::string_view path);
std::string pending(uint32_t proj, std::string_view path);
std::string counter(uint32_t proj, std::string_view name);
// The change log: path -> the change serial of the last write that changed the file
// (added, changed or removed). Readers (the search index) catch up from it.
std::string changed(uint32_t proj, std::string_view path);
std::string_view meta_path_of(std::string_view meta_key);  // path of an M/R/D key
// Arguments one file's call sites pass to another file's functions (Python parameters
// bound across files): args_in(callee file, caller file) holds them, args_out(caller
// file) lists the callee files, so that a caller resolved again can retract its own.
std::string args_in(uint32_t proj, std::string_view callee_path, std::string_view caller_path);
std::string args_in_prefix(uint32_t proj, std::string_view callee_path);
std::string args_out(uint32_t proj, std::string_view caller_path);

// The smallest key greater than every key with this prefix ("" if none).
std::string prefix_end(std::string_view prefix);

std::string lower_ascii(std::string_view s);

}  // namespace cg::keys
