#pragma once
// Review reports of the server, kept per (store, project, base, target, depth) and
// good while the project's head version (and, for the newest state, the store's last
// write) is what it was when they were computed: a new version or a save makes the
// next request compute afresh. A few entries, least recently used dropped first.
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>

#include "actors/review/review.hpp"

namespace cg {

class review_cache {
 public:
  explicit review_cache(size_t capacity = 16) : capacity_(capacity) {}

  // The report, computed (outside the lock) when no entry is current.
  result<std::shared_ptr<const review_report>> get(const store& db, uint32_t proj, const review_request& req);
  size_t hits() const;
  size_t misses() const;

 private:
  struct key {
    const store* db = nullptr;
    uint32_t proj = 0;
    uint64_t base = 0, target = 0, head = 0, sequence = 0;
    int depth = 0, test_depth = 0;
    bool operator==(const key&) const = default;
  };
  struct entry {
    key k;
    std::shared_ptr<const review_report> report;
  };
  mutable std::mutex mu_;
  std::list<entry> entries_;  // most recent first
  size_t capacity_, hits_ = 0, misses_ = 0;
};

}  // namespace cg
