#include "net/app/outbox.hpp"

namespace cg::net {

std::optional<size_t> outbox::replace(const std::string& key, payload p) {
  if (key.empty()) return std::nullopt;
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  auto idx = static_cast<size_t>(it->second - front_seq_);
  if (idx >= q_.size() || (idx == 0 && in_flight_)) return std::nullopt;
  auto& e = q_[idx];
  size_t old = e.p->size();
  bytes_ = bytes_ - old + p->size();
  e.p = std::move(p);
  return old;
}

void outbox::push(payload p, std::string key) {
  bytes_ += p->size();
  if (!key.empty()) by_key_[key] = front_seq_ + q_.size();
  q_.push_back({std::move(p), std::move(key)});
}

const outbox::payload& outbox::start_front() {
  in_flight_ = true;
  return q_.front().p;
}

size_t outbox::pop_front() {
  auto& e = q_.front();
  size_t n = e.p->size();
  if (!e.key.empty()) {
    auto it = by_key_.find(e.key);
    if (it != by_key_.end() && it->second == front_seq_) by_key_.erase(it);
  }
  bytes_ -= n;
  q_.pop_front();
  ++front_seq_;
  in_flight_ = false;
  // A queue that held a burst keeps the key map's bucket array (and the deque its
  // block map) after it drained: give them back once empty.
  if (q_.empty() && by_key_.bucket_count() > 64) {
    std::unordered_map<std::string, uint64_t>().swap(by_key_);
    std::deque<entry>().swap(q_);
  }
  return n;
}

}  // namespace cg::net
