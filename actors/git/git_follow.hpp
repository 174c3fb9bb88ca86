#pragma once
// Follow mode: a branch of a git repository indexed commit by commit as it moves. Each
// round finds what is new on the branch since the commit its `branch/NAME` ref names
// (or, the first time, since the nearest first-parent ancestor indexed already), has
// each new commit indexed as a version (oldest first), points `branch/NAME` at the
// tip's version, and then lays the work tree's uncommitted changes over it (an index
// run that commits no version: the open version is the work tree). Between rounds it
// sleeps in ref_watch until a ref moves. Plain C++: the caller says how to index (the
// CLI through the engine, the server through its task pipeline).
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/git/git_repo.hpp"
#include "actors/indexer/index_types.hpp"
#include "schema/result.hpp"

namespace cg {

class store;
class ref_watch;

struct follow_plan {
  std::string branch;                    // the branch followed this round
  std::string tip;                       // its tip (40 hex digits)
  std::vector<git_commit_info> commits;  // to index, oldest first (empty: nothing new)
};

// What is new on `branch` (empty: the branch HEAD names) for the project. Commits
// already indexed (a `commit/<sha>` ref) end the walk back; with none indexed within
// max_walk first-parent steps, the tip alone (a full index).
result<follow_plan> plan_follow(const git_repo& repo, store& db, const std::string& project, const std::string& branch,
                                size_t max_walk = 10000);

// The versions a commit's parents are indexed as: per parent, the first commit along
// its first parents with a `commit/<sha>` ref (within max_walk steps; a shallow clone's
// boundary ends the walk), without repeats. A root commit, or history never indexed:
// none.
result<std::vector<uint64_t>> indexed_parent_versions(const git_repo& repo, const store& db, uint32_t proj,
                                                      const git_commit_info& c, size_t max_walk = 10000);

// The nearest commit indexed in the project (a `commit/<sha>` ref) along sha's first
// parents, sha itself first (within max_walk steps; a shallow clone's boundary ends the
// walk). version 0: none.
struct indexed_commit {
  uint64_t version = 0;
  std::string sha;
};
result<indexed_commit> nearest_indexed_commit(const git_repo& repo, const store& db, uint32_t proj,
                                              const std::string& sha, size_t max_walk = 10000);

// Names versions after the repository's branches and tags: each local branch or tag
// whose commit is indexed (a `commit/<sha>` ref) gets the same name in the project
// (`branch/NAME`, `tag/NAME`), moved when git moved it. The names set.
result<std::vector<std::string>> map_git_refs(const git_repo& repo, store& db, const std::string& project);

class git_follower {
 public:
  struct hooks {
    // Indexes one commit as a version (blocking); its summary.
    std::function<index_summary(const git_commit_info&)> index_commit;
    // Lays the work tree over the new head (blocking), given the version its HEAD commit
    // is indexed as (0: none; the run starts from there: index_request::start_from);
    // unset or a bare repository: none.
    std::function<void(const std::string& work_tree, uint64_t head_version)> overlay;
    // Told of each commit indexed and of each round's end.
    std::function<void(const git_commit_info&, const index_summary&)> on_commit;
    std::function<void(const follow_plan&, const status&)> on_round;
  };
  // branch empty: whichever branch HEAD names at each round (a checkout is followed).
  git_follower(std::string repo_path, std::string project, std::string branch, store& db, hooks h);
  ~git_follower();

  // One round (see above).
  status catch_up();
  // Rounds until stop(): one now (its error ends the run), then one after every ref
  // change.
  status run();
  void stop();

 private:
  std::string repo_path_, project_, branch_;
  store& db_;
  hooks hooks_;
  std::mutex mu_;  // watch_ against stop()
  std::unique_ptr<ref_watch> watch_;
  std::atomic<bool> stop_{false};
};

}  // namespace cg
