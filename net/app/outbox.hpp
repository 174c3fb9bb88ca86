#pragma once
// A connection's outbound queue (plain C++; the owner confines it to one network loop):
// messages in order with their bytes counted and at most one in flight at the
// front. A message pushed with a coalescing key can take the place of a queued,
// not yet written message with the same key (same position, newer bytes): a client
// that is behind gets a node's latest state once instead of every state it missed,
// and a burst costs its queue nothing. Keys are the transport's (subscription id +
// the source's key, see gql::emit_fn).
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace cg::net {

class outbox {
 public:
  using payload = std::shared_ptr<const std::string>;

  // Replaces the queued, unwritten message with this key; its size when it did.
  std::optional<size_t> replace(const std::string& key, payload p);
  // Appends (key may be empty: never replaced).
  void push(payload p, std::string key = {});

  bool empty() const { return q_.empty(); }
  size_t size() const { return q_.size(); }
  size_t bytes() const { return bytes_; }
  bool in_flight() const { return in_flight_; }

  // The front message, marked as being written (no longer replaceable).
  const payload& start_front();
  // Removes the front message (written or failed); its size.
  size_t pop_front();

 private:
  struct entry {
    payload p;
    std::string key;
  };
  std::deque<entry> q_;
  uint64_t front_seq_ = 0;                            // sequence number of q_.front()
  std::unordered_map<std::string, uint64_t> by_key_;  // key -> sequence number of its newest entry
  size_t bytes_ = 0;
  bool in_flight_ = false;
};

}  // namespace cg::net
