#include "net/app/rate_limit.hpp"

#include <algorithm>

namespace cg::net {

rate_limiter::rate_limiter(double rate, double burst) : rate_(rate), burst_(std::max(1.0, burst)) {}

double rate_limiter::take(const std::string& key) {
  if (rate_ <= 0) return 0;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (now - last_sweep_ > std::chrono::seconds(60)) sweep(now);
  auto [it, fresh] = buckets_.try_emplace(key, bucket{burst_, now});
  auto& b = it->second;
  if (!fresh) {
    double dt = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + dt * rate_);
    b.last = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return (1.0 - b.tokens) / rate_;
}

void rate_limiter::sweep(std::chrono::steady_clock::time_point now) {
  last_sweep_ = now;
  // A bucket idle long enough to be full again carries no state.
  double full_after = burst_ / rate_;
  std::erase_if(buckets_, [&](const auto& kv) {
    return std::chrono::duration<double>(now - kv.second.last).count() > full_after;
  });
}

size_t rate_limiter::buckets() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace cg::net
