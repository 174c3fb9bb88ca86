#pragma once
// What a parse is asked and what it answers: plain types, no tree-sitter.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "schema/extract.hpp"

namespace cg {

struct parse_job {
  std::string project;
  std::string root;  // absolute project root
  std::string path;  // relative to root
  uint64_t max_bytes = 2u << 20;
  bool has_previous = false;   // the manifest knows this file:
  uint64_t previous_hash = 0;  //   its content hash then
  std::string blob;            // from a git tree: the blob to read (root: the repository)
  int64_t stamp = 0;           //   and the stand-in mtime to record
  bool warm = false;           // parse and keep the tree only (a file likely saved soon)
  bool keep_tree = false;      // keep the tree for the next parse (a small run's file)
};

// The parser worker a file of a small run goes to, so that its kept tree (see
// tree_cache.hpp) is there on its next save; large runs spread files round-robin.
inline size_t worker_for(std::string_view project, std::string_view path, size_t workers) {
  if (workers == 0) return 0;
  return (std::hash<std::string_view>{}(project)*31 + std::hash<std::string_view>{}(path)) % workers;
}

enum class parse_result_kind : uint8_t {
  parsed,     // extract is filled
  unchanged,  // content hash equals the previous one; record has size/mtime/hash
  skipped,    // not indexed (binary, too large, unknown language, a warm job): reason says why
  failed,     // could not be read: reason says why
};

struct parse_outcome {
  parse_result_kind kind = parse_result_kind::failed;
  std::string reason;
  file_extract extract;      // extract.record is filled for parsed and unchanged
  double parse_seconds = 0;  // tree-sitter parse only
};

}  // namespace cg
