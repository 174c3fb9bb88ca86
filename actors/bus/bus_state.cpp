#include "actors/bus/bus_state.hpp"

#include <algorithm>

namespace cg {

uint64_t bus_state::subscribe(std::string prefix, event_sink sink) {
  uint64_t id = next_id_++;
  subs_.push_back({id, std::move(prefix), std::move(sink)});
  return id;
}

bool bus_state::unsubscribe(uint64_t id) {
  auto it = std::find_if(subs_.begin(), subs_.end(), [&](const sub& s) { return s.id == id; });
  if (it == subs_.end()) return false;
  subs_.erase(it);
  return true;
}

size_t bus_state::publish(const event& e) const {
  size_t n = 0;
  for (const auto& s : subs_)
    if (e.topic.starts_with(s.prefix)) {
      s.sink(e);
      ++n;
    }
  return n;
}

}  // namespace cg
