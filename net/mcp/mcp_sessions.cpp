#include "net/mcp/mcp_sessions.hpp"

#include <openssl/rand.h>

namespace cg::mcp {
namespace {

std::string random_id() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) return {};
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (auto c : b) {
    s += hex[c >> 4];
    s += hex[c & 15];
  }
  return s;
}

}  // namespace

sessions::sessions(size_t max, std::chrono::seconds idle) : max_(max), idle_(idle) {}

void sessions::drop_idle(std::chrono::steady_clock::time_point now) {
  std::erase_if(by_id_, [&](const auto& kv) { return now - kv.second.used > idle_; });
}

std::optional<std::string> sessions::open(std::shared_ptr<session> s) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lk(mu_);
  if (by_id_.size() >= max_) drop_idle(now);
  if (by_id_.size() >= max_) return std::nullopt;
  auto id = random_id();
  if (id.empty() || by_id_.count(id)) return std::nullopt;
  by_id_[id] = {std::move(s), now};
  return id;
}

std::shared_ptr<session> sessions::find(const std::string& id, const std::string& subject) {
  std::lock_guard lk(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second.s->who().subject != subject) return nullptr;
  it->second.used = std::chrono::steady_clock::now();
  return it->second.s;
}

bool sessions::close(const std::string& id, const std::string& subject) {
  std::shared_ptr<session> gone;  // destroyed outside the lock
  std::lock_guard lk(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second.s->who().subject != subject) return false;
  gone = std::move(it->second.s);
  by_id_.erase(it);
  return true;
}

size_t sessions::size() const {
  std::lock_guard lk(mu_);
  return by_id_.size();
}

void sessions::clear() {
  std::map<std::string, entry> gone;
  {
    std::lock_guard lk(mu_);
    gone.swap(by_id_);
  }
}

}  // namespace cg::mcp
