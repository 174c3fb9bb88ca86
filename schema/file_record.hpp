#pragma once
// The manifest entry of one indexed file.
#include <cstdint>
#include <string>

#include "schema/kinds.hpp"

namespace cg {

enum class parse_status : uint8_t {
  ok = 0,
  syntax_errors,  // parsed with error recovery: what parsed is kept
  failed,         // could not be parsed at all (only the file node is kept)
};

std::string_view to_string(parse_status s);

// What extraction and resolution make of a file, versioned: raise it whenever a change to
// the extractors or the resolver changes the nodes or edges an unchanged file yields.
// A file recorded under another version is parsed again by the next run that walks it,
// as if it had changed, so an upgraded binary never serves a graph the old one built.
inline constexpr uint32_t analysis_version = 5;

struct file_record {
  std::string path;  // relative to the project root
  language lang = language::unknown;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t content_hash = 0;
  parse_status status = parse_status::ok;
  uint32_t error_count = 0;  // syntax error nodes in the tree
  uint32_t loc = 0;          // lines in the file
  uint32_t node_count = 0;
  bool invalid_utf8 = false;  // bytes that are not UTF-8 were replaced in extracted text
  uint32_t analysis = 0;      // the analysis_version it was extracted by (0: before versions)
  bool operator==(const file_record&) const = default;
};

}  // namespace cg
