#pragma once
// A parser worker's state: one tree-sitter parser per language, reused across files.
// Pure: bytes in, extracted nodes/references out; no storage access.
#include <tree_sitter/api.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/parser/parse_types.hpp"
#include "actors/parser/tree_cache.hpp"
#include "schema/extract.hpp"

namespace cg {

class git_repo;

class parser_state {
 public:
  parser_state();
  ~parser_state();
  parser_state(const parser_state&) = delete;
  parser_state& operator=(const parser_state&) = delete;

  // Reads, hashes, parses and extracts one file.
  parse_outcome parse_file(const parse_job& job);

  // Parses bytes already in memory (snippets, tests). lang unknown: detect from path.
  // keep_tree: a large file's tree is kept for its next parse (see tree_cache.hpp).
  parse_outcome parse_source(std::string_view project, std::string_view path, std::string_view source,
                             language lang = language::unknown, bool keep_tree = true);

  // Parse only (no extraction): for the parse-only throughput baseline.
  bool parse_only(language lang, std::string_view source);

  uint64_t files_parsed() const { return files_parsed_; }
  uint64_t incremental_parses() const { return incremental_parses_; }  // from a kept tree
  uint64_t warmed() const { return warmed_; }                          // trees parsed ahead

 private:
  TSParser* parser_for(language lang);
  parse_outcome parse_blob(const parse_job& job);  // a file of a git commit
  // What parse_file does once the bytes are read.
  parse_outcome parse_read(const parse_job& job, std::string_view content, int64_t mtime_ns);
  // A warm job: a large file parsed and its tree kept (unless one is), nothing extracted.
  parse_outcome warm(const parse_job& job, std::string_view content);
  static std::string tree_key(std::string_view project, std::string_view path);
  std::array<TSParser*, language_count> parsers_{};
  uint64_t files_parsed_ = 0, incremental_parses_ = 0, warmed_ = 0;
  std::unique_ptr<git_repo> git_;  // the repository of the last blob read
  tree_cache trees_;               // large files' last trees, for incremental parses
};

}  // namespace cg
