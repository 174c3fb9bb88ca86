#pragma once
// What an index task is asked to do, what it reports while running, and what it
// reports when done. Plain C++: part of the engine facade.
#include <cstdint>
#include <string>
#include <vector>

#include "actors/git/git_repo.hpp"
#include "actors/graph/resolver.hpp"
#include "actors/indexer/walker.hpp"

namespace cg {

struct index_request {
  std::string project;  // created on first use
  std::string root;     // the directory to index
  walk_options walk;
  bool vectors = true;  // bring the search index (BM25, embeddings) up to date afterwards
  // Watch mode: re-check only these files (relative paths); empty: the whole tree.
  std::vector<std::string> only = {};
  // A run over the whole tree commits what it changed as a version ([index] versions).
  bool versions = true;
  // A git commit to index instead of the directory (root: a path in its repository),
  // read from the object database; it becomes a version with the commit's metadata.
  git_commit_info git = {};
  // A run over a work tree whose HEAD is this version's commit: when the graph stands
  // at another version (a checkout of another branch, followed), it is put back as this
  // one had it first, so that only the work tree's own changes are parsed (0: none).
  uint64_t start_from = 0;
  // The project name node ids derive from ("": project). A layered project's are its
  // base's (the engine sets it), so the same files give the same ids.
  std::string id_space = {};
};

enum class index_phase : uint8_t { walking, parsing, resolving, done, failed, cancelled };
std::string_view to_string(index_phase p);

struct index_progress {
  uint64_t task = 0;
  std::string project;
  index_phase phase = index_phase::walking;
  size_t files_done = 0, files_total = 0;
  uint64_t bytes_done = 0, bytes_total = 0;
  uint64_t lines_done = 0;  // lines of the files parsed so far
  size_t errors = 0;        // files that failed or parsed with syntax errors
  size_t resolve_done = 0, resolve_total = 0;
  double elapsed_seconds = 0;
  double eta_seconds = -1;  // -1: unknown
  std::string current;      // a file being worked on
};

struct language_tally {
  language lang = language::unknown;
  size_t files = 0;
  uint64_t loc = 0, bytes = 0;
};

struct index_summary {
  uint64_t task = 0;
  std::string project, root;
  index_phase outcome = index_phase::done;
  std::string error;      // when outcome is failed
  size_t files_seen = 0;  // indexable files found by the walk
  size_t added = 0, changed = 0, unchanged = 0, removed = 0, failed = 0;
  size_t syntax_error_files = 0;
  std::vector<skipped_entry> skipped;   // directories and files skipped, with reasons
  std::vector<skipped_entry> failures;  // files that could not be read or parsed
  uint64_t unsupported = 0, ignored = 0;
  std::vector<language_tally> parsed;  // what this run parsed, by language
  uint64_t loc_parsed = 0, bytes_parsed = 0;
  size_t nodes_created = 0, nodes_updated = 0, nodes_deleted = 0;
  size_t files_resolved = 0;
  uint64_t version = 0;  // the version this run committed (0: none, nothing changed or a partial run)
  // A git commit indexed from its nearest indexed ancestor: that version, put back
  // first (0: from the current state), and the keys it took.
  uint64_t based_on = 0;
  size_t rewound_keys = 0;
  resolution_counts resolution;  // edges written by this run's resolution
  double seconds_total = 0, seconds_walk = 0, seconds_parse = 0, seconds_resolve = 0;
  double parse_cpu_seconds = 0;  // tree-sitter parse time summed over workers
  struct vector_info {
    bool synced = false;  // the search index was brought up to date
    size_t documents = 0, added = 0, updated = 0, removed = 0;
    double seconds = 0;
    std::string error;  // why it was not (the graph is still complete)
  } vectors;
};

}  // namespace cg
