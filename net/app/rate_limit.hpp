#pragma once
// Token buckets, one per key (an API key id, a JWT subject or a client IP): `rate`
// tokens per second up to `burst`. Thread-safe; idle buckets are forgotten.
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace cg::net {

class rate_limiter {
 public:
  rate_limiter(double rate_per_second, double burst);
  // 0 when allowed (a token was taken); else the seconds to wait for one (Retry-After).
  double take(const std::string& key);
  bool enabled() const { return rate_ > 0; }
  size_t buckets() const;

 private:
  struct bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  void sweep(std::chrono::steady_clock::time_point now);
  double rate_, burst_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, bucket> buckets_;
  std::chrono::steady_clock::time_point last_sweep_ = std::chrono::steady_clock::now();
};

}  // namespace cg::net
