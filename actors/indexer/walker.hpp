#pragma once
// Walks a source tree: honours .gitignore files (and .git/info/exclude), include and
// exclude globs and a language filter; skips vendored, build and hidden directories,
// oversized files, special files and symlinks, each with the reason why.
#include <cstdint>
#include <string>
#include <vector>

#include "schema/kinds.hpp"
#include "schema/result.hpp"

namespace cg {

struct walk_options {
  std::vector<std::string> include;  // globs; empty: everything
  std::vector<std::string> exclude;  // globs
  std::vector<language> languages;   // empty: every supported language
  uint64_t max_file_bytes = 2u << 20;
  bool follow_symlinks = false;
  bool respect_gitignore = true;
  bool skip_hidden = true;
  std::vector<std::string> skip_dirs = default_skip_dirs();

  static std::vector<std::string> default_skip_dirs();
};

struct walk_entry {
  std::string path;  // relative to the root, '/' separated
  language lang = language::unknown;
  uint64_t size = 0;
  int64_t mtime_ns = 0;  // from a git tree: git_repo::stamp(blob)
  std::string blob;      // from a git tree: the blob's id (read from the object database)
};

struct skipped_entry {
  std::string path;
  std::string reason;
};

struct walk_result {
  std::string root;  // absolute, normalised
  std::vector<walk_entry> files;
  std::vector<skipped_entry> skipped;  // one per skipped file or directory
  uint64_t bytes = 0;                  // of the files to index
  uint64_t unsupported = 0;            // files in languages we do not parse (not listed)
  uint64_t ignored = 0;                // matched by .gitignore or an exclude glob (not listed)
};

// Errors: the root does not exist, is not a directory, or cannot be read.
result<walk_result> walk_tree(const std::string& root, const walk_options& opts);

// The same checks for given files only (relative paths; watch mode). A path that is
// not a regular file any more is left out (the caller treats it as removed).
result<walk_result> walk_paths(const std::string& root, const std::vector<std::string>& rel, const walk_options& opts);
// The walk's rules, shared by the walk of a git tree (walker_git.hpp):
// why a directory is skipped by its name alone ("" if it is not),
std::string dir_name_skip_reason(const walk_options& opts, std::string_view name);
// files whose presence marks a directory as build output,
inline constexpr const char* build_output_markers[] = {"CMakeCache.txt", "CACHEDIR.TAG", ".ninja_log",
                                                       "CMakeFiles/cmake.check_cache"};
// whether the language filter takes a file,
bool language_wanted(const walk_options& opts, language lang, std::string_view name);
// and what an oversized file is reported as.
std::string too_large_reason(uint64_t size, uint64_t limit);

// Whether the walk skips a directory of this name (hidden, vendored, caches).
bool walk_skips_dir(const walk_options& opts, std::string_view name);
// Whether a file of this name may be indexed (or changes what is: .gitignore). An
// editor's temporary, swap or backup file (x.py.saving, .x.py.swp, x.py~) may not: watch
// mode starts no run for it.
bool walk_may_index(const walk_options& opts, std::string_view name);

}  // namespace cg
