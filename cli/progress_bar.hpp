#pragma once
// A one-line progress bar on stderr, redrawn in place (only on a terminal).
#include <mutex>
#include <string>

#include "actors/indexer/index_types.hpp"

namespace cg::cli {

class progress_bar {
 public:
  explicit progress_bar(bool enabled);
  ~progress_bar();
  void update(const index_progress& p);  // thread-safe
  void finish();

 private:
  std::mutex mu_;
  bool enabled_;
  bool drawn_ = false;
  int width_ = 100;
};

}  // namespace cg::cli
