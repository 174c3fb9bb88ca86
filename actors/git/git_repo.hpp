#pragma once
// A git repository read through libgit2 (Debian's libgit2-dev): commits by any
// revision git understands, first-parent ranges, the files of a commit's tree and
// blob contents straight from the object database (no checkout). Plain C++; the
// indexer walks a commit with it and the parsers read blobs with it.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schema/result.hpp"

struct git_repository;

namespace cg {

struct git_commit_info {
  std::string sha;  // 40 hex digits
  std::string author, email;
  int64_t time = 0;     // committer time, seconds since the epoch
  std::string message;  // the whole message
  std::string summary;  // its first line
  std::vector<std::string> parents;
};

struct git_tree_entry_info {
  enum class kind : uint8_t { file, link, submodule };
  std::string path;  // '/' separated, from the tree's root
  kind what = kind::file;
  std::string blob;  // 40 hex digits (the submodule's commit for a submodule)
  uint64_t size = 0;
};

// One hunk of a line diff (git's numbering: a count of 0 means lines were only added
// or only removed, after line `start` of that side).
struct line_hunk {
  uint32_t old_start = 0, old_lines = 0, new_start = 0, new_lines = 0;
};
// The hunks between two texts, as `git diff -U0` finds them (libgit2's xdiff).
result<std::vector<line_hunk>> diff_lines(std::string_view before, std::string_view after);

class git_repo {
 public:
  // Opens the repository at or above `path` (a work tree, a .git directory or a bare
  // repository). Errors: not a repository, or corrupt.
  static result<std::unique_ptr<git_repo>> open(const std::string& path);
  ~git_repo();
  git_repo(const git_repo&) = delete;
  git_repo& operator=(const git_repo&) = delete;

  // The work tree for a non-bare repository, else the git directory (no trailing '/').
  const std::string& root() const { return root_; }
  const std::string& git_dir() const { return git_dir_; }

  // A revision as git names it: sha (or a unique prefix), branch, tag, HEAD~3, main^2.
  result<git_commit_info> commit(std::string_view rev) const;
  // "A..B": the first-parent chain from B back to (not including) A, oldest first; a
  // single revision: that commit alone.
  result<std::vector<git_commit_info>> range(std::string_view spec) const;
  // Every entry of the commit's tree, sorted by path.
  result<std::vector<git_tree_entry_info>> files(const std::string& sha) const;
  // How many paths differ between two commits' trees (added, removed or changed; no
  // rename detection, no contents read: unchanged subtrees are skipped by their ids).
  result<size_t> paths_changed(const std::string& from_sha, const std::string& to_sha) const;
  // A blob's bytes (errors when larger than max_bytes).
  result<std::string> blob(std::string_view hex, uint64_t max_bytes = UINT64_MAX) const;
  // Whether the repository is a shallow clone (its history ends early).
  bool shallow() const;
  // A range's commits in a shallow clone: the first-parent line from `to` back to
  // `from` (40 hex digits; empty: back to the shallow boundary), oldest first.
  result<std::vector<git_commit_info>> first_parent_line(const std::string& to, const std::string& from,
                                                         std::string_view spec) const;
  // HEAD's branch ("main"); empty when HEAD is detached or names no commit yet.
  std::string head_branch() const;
  // Where the refs live: the git directory, or the main one's for a linked worktree.
  std::string common_dir() const;
  // Local branches ("branch/NAME") and tags ("tag/NAME") with the commit each names
  // (annotated tags peeled); refs that name no commit are left out.
  std::vector<std::pair<std::string, std::string>> named_commits() const;
  // Whether the repository has a work tree (root() is then that tree).
  bool has_work_tree() const { return root_ != git_dir_; }

  // A stand-in modification time for a blob: equal for equal contents, so an
  // incremental index skips unchanged files without reading them.
  static int64_t stamp(std::string_view hex);

 private:
  explicit git_repo(::git_repository* r);
  ::git_repository* repo_;
  std::string root_, git_dir_;
};

}  // namespace cg
