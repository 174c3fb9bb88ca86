#pragma once
// A query-result cache: LRU with a time-to-live and a bound in bytes. Entries belong
// to a project; a change event for that project drops them all (a stale answer is
// never served after a commit the server has heard of). Thread-safe.
#include <atomic>
#include <chrono>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace cg::net {

class result_cache {
 public:
  result_cache(size_t max_bytes, std::chrono::milliseconds ttl);
  std::optional<std::string> get(const std::string& key);
  void put(const std::string& project, const std::string& key, std::string value);
  void invalidate(const std::string& project);
  bool enabled() const { return max_bytes_ > 0 && ttl_.count() > 0; }

  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  size_t bytes() const;
  size_t entries() const;

 private:
  struct entry {
    std::string key, project, value;
    std::chrono::steady_clock::time_point expires;
  };
  void erase(std::list<entry>::iterator it);
  size_t max_bytes_;
  std::chrono::milliseconds ttl_;
  mutable std::mutex mu_;
  std::list<entry> lru_;  // front: most recent
  std::unordered_map<std::string, std::list<entry>::iterator> index_;
  size_t bytes_ = 0;
  std::atomic<uint64_t> hits_{0}, misses_{0};
};

}  // namespace cg::net
