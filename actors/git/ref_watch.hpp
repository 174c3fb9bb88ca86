#pragma once
// Notices ref changes of a git repository with inotify (follow mode): HEAD, packed-refs
// and every directory under refs/heads and refs/tags of the git directory (and of the
// common directory of a linked worktree). wait() blocks in poll() until something
// there was written or moved into place, then lets the burst settle (a commit, a
// fetch or a rebase rewrites several files) -- no polling loop. Plain C++, Linux.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "schema/result.hpp"

namespace cg {

class ref_watch {
 public:
  static result<std::unique_ptr<ref_watch>> start(const std::vector<std::string>& git_dirs,
                                                  std::chrono::milliseconds settle = std::chrono::milliseconds(50));
  ~ref_watch();
  ref_watch(const ref_watch&) = delete;
  ref_watch& operator=(const ref_watch&) = delete;

  // True when refs changed; false when stopped (or on timeout, when one is given).
  bool wait(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));
  // Wakes wait() for good; safe from any thread and from a signal handler's thread.
  void stop();
  bool stopped() const;

 private:
  ref_watch() = default;
  void add_tree(const std::string& dir);
  void drain(bool& relevant);
  int fd_ = -1, wake_ = -1;
  std::chrono::milliseconds settle_{50};
  struct dir_watch {
    int wd;
    std::string path;
  };
  std::vector<dir_watch> dirs_;
  bool stopped_ = false;
};

}  // namespace cg
