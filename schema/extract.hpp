#pragma once
// What a parser produces for one file: final nodes (with ids and parents) plus the
// references it could not bind by itself. The graph actor resolves the references
// against the whole project; they are also stored (encoded by encode_references)
// so that a file can be re-resolved later without re-parsing it.
#include <cstdint>
#include <string>
#include <vector>

#include "schema/edge.hpp"
#include "schema/file_record.hpp"
#include "schema/node.hpp"
#include "schema/result.hpp"

namespace cg {

namespace ref_flag {
inline constexpr uint8_t member = 1u << 0;       // qualifier is an expression (receiver.name)
inline constexpr uint8_t constructor = 1u << 1;  // new X / X{} / X(...) known to build an X
inline constexpr uint8_t scoped = 1u << 2;       // qualifier is a path (pkg.name, Type::name)
inline constexpr uint8_t super_ = 1u << 3;       // super().name / super.name / base::name
inline constexpr uint8_t raised = 1u << 4;       // raise E: an instantiation when E is a class, else nothing
}  // namespace ref_flag

struct raw_ref {
  node_id source = 0;  // the innermost definition the reference occurs in
  edge_kind kind = edge_kind::calls;
  uint8_t flags = 0;
  std::string name;       // simple name: "save"
  std::string qualifier;  // what precedes it: "self", "os.path", "Vec", "" (as written)
  edge_site site;
  bool operator==(const raw_ref&) const = default;
};

struct raw_import {
  node_id source = 0;  // the import node
  std::string module;  // "os.path", "./util", "java.util", "crate::io", "fmt", "stdio.h"
  std::string name;    // imported member, "" for the module itself, "*" for all of it
  std::string alias;   // the local name it binds ("" when it binds nothing, e.g. C #include)
  edge_site site;
  uint8_t level = 0;  // Python relative import dots; 1 for JS "./", C "quoted" includes
  bool operator==(const raw_import&) const = default;
};

struct type_binding {
  node_id scope = 0;     // the function/class/file in which it holds
  std::string variable;  // "conn", "self.conn", "this.conn"
  std::string type;      // the type as written: "Connection", "db.Connection"
  bool operator==(const type_binding&) const = default;
};

struct file_references {
  std::string module_path;  // "json.decoder", "java.util", "net/http", "core::iter::adapters"
  std::string package;      // Go/Java package name, Rust crate; "" elsewhere
  std::vector<raw_import> imports;
  std::vector<raw_ref> refs;
  std::vector<type_binding> bindings;
  bool operator==(const file_references&) const = default;
};

struct file_extract {
  file_record record;       // path, language, size, hash, status, loc, counts
  std::vector<node> nodes;  // nodes[0] is the file node; parents precede children
  std::vector<edge> contains;
  file_references refs;
};

void encode_references(const file_references& r, std::string& out);
result<file_references> decode_references(std::string_view bytes);

}  // namespace cg
