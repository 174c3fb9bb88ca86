#include "net/app/result_cache.hpp"

namespace cg::net {

result_cache::result_cache(size_t max_bytes, std::chrono::milliseconds ttl) : max_bytes_(max_bytes), ttl_(ttl) {}

void result_cache::erase(std::list<entry>::iterator it) {
  bytes_ -= it->key.size() + it->value.size();
  index_.erase(it->key);
  lru_.erase(it);
}

std::optional<std::string> result_cache::get(const std::string& key) {
  if (!enabled()) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return std::nullopt;
  }
  if (std::chrono::steady_clock::now() >= it->second->expires) {
    erase(it->second);
    ++misses_;
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  ++hits_;
  return it->second->value;
}

void result_cache::put(const std::string& project, const std::string& key, std::string value) {
  if (!enabled()) return;
  size_t size = key.size() + value.size();
  if (size > max_bytes_ / 4) return;  // one answer never takes most of the cache
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) erase(it->second);
  lru_.push_front({key, project, std::move(value), std::chrono::steady_clock::now() + ttl_});
  index_[key] = lru_.begin();
  bytes_ += size;
  while (bytes_ > max_bytes_ && !lru_.empty()) erase(std::prev(lru_.end()));
}

void result_cache::invalidate(const std::string& project) {
  std::lock_guard lock(mu_);
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (it->project == project) erase(it);
    it = next;
  }
}

size_t result_cache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

size_t result_cache::entries() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace cg::net
