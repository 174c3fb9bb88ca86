#pragma once
// The walk of a git commit's tree instead of a directory: the same rules as
// walk_tree (the .gitignore files in the tree, include and exclude globs, the
// language filter, skipped directories, the size limit), over what the commit holds.
// Symbolic links and submodules are skipped with their reasons.
#include <string>

#include "actors/git/git_repo.hpp"
#include "actors/indexer/walker.hpp"

namespace cg {

// Files carry their blob id and git_repo::stamp(blob) as mtime; root is repo.root().
result<walk_result> walk_git(const git_repo& repo, const std::string& sha, const walk_options& opts);

}  // namespace cg
