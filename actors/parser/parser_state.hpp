#pragma once
// A parser worker's state: one tree-sitter parser per language, reused across files.
// Pure: bytes in, extracted nodes/references out; no storage access.
#include <tree_sitter/api.h>

#include <array>
#include <cstdint>
#include <string>

#include "schema/extract.hpp"

namespace cg {

struct parse_job {
  std::string project;
  std::string root;  // absolute project root
  std::string path;  // relative to root
  uint64_t max_bytes = 2u << 20;
  bool has_previous = false;   // the manifest knows this file:
  uint64_t previous_hash = 0;  //   its content hash then
};

enum class parse_result_kind : uint8_t {
  parsed,     // extract is filled
  unchanged,  // content hash equals the previous one; record has size/mtime/hash
  skipped,    // not indexed (binary, too large, unknown language): reason says why
  failed,     // could not be read: reason says why
};

struct parse_outcome {
  parse_result_kind kind = parse_result_kind::failed;
  std::string reason;
  file_extract extract;      // extract.record is filled for parsed and unchanged
  double parse_seconds = 0;  // tree-sitter parse only
};

class parser_state {
 public:
  parser_state();
  ~parser_state();
  parser_state(const parser_state&) = delete;
  parser_state& operator=(const parser_state&) = delete;

  // Reads, hashes, parses and extracts one file.
  parse_outcome parse_file(const parse_job& job);

  // Parses bytes already in memory (snippets, tests). lang unknown: detect from path.
  parse_outcome parse_source(std::string_view project, std::string_view path, std::string_view source,
                             language lang = language::unknown);

  // Parse only (no extraction): for the parse-only throughput baseline.
  bool parse_only(language lang, std::string_view source);

  uint64_t files_parsed() const { return files_parsed_; }

 private:
  TSParser* parser_for(language lang);
  std::array<TSParser*, language_count> parsers_{};
  uint64_t files_parsed_ = 0;
};

}  // namespace cg
