#include "actors/review/review_cache.hpp"

namespace cg {

result<std::shared_ptr<const review_report>> review_cache::get(const store& db, uint32_t proj,
                                                               const review_request& req) {
  auto head = db.head_version(proj);
  if (!head.ok()) return head.err();
  key k{&db, proj, req.base, req.target, *head, req.target ? 0 : db.sequence(), req.depth, req.test_depth};
  {
    std::lock_guard lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
      if (it->k == k) {
        entries_.splice(entries_.begin(), entries_, it);
        ++hits_;
        return entries_.front().report;
      }
    ++misses_;
  }
  auto r = review_versions(db, proj, req);
  if (!r.ok()) return r.err();
  auto shared = std::make_shared<const review_report>(std::move(*r));
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [&](const entry& e) { return e.k.db == k.db && e.k.proj == k.proj && e.k.head != k.head; });
  entries_.push_front({k, shared});
  if (entries_.size() > capacity_) entries_.pop_back();
  return shared;
}

size_t review_cache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

size_t review_cache::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}

}  // namespace cg
