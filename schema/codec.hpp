#pragma once
// Compact binary encodings of nodes, edges and file records (RocksDB values).
// Each starts with a format version byte so the layout can evolve.
#include <string>
#include <string_view>

#include "schema/edge.hpp"
#include "schema/file_record.hpp"
#include "schema/node.hpp"
#include "schema/result.hpp"

namespace cg {

void encode_node(const node& n, std::string& out);  // id is in the key, not the value
result<node> decode_node(std::string_view bytes, node_id id);

// An edge value carries how it was resolved, the target as written and its sites;
// source, kind and target live in the key.
void encode_edge_value(const edge& e, std::string& out);
status decode_edge_value(std::string_view bytes, edge& e);

void encode_file_record(const file_record& f, std::string& out);  // path is in the key
result<file_record> decode_file_record(std::string_view bytes, std::string_view path);

}  // namespace cg
