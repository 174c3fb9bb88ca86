#pragma once
// Topic-prefix fan-out. Plain C++: the bus actor serialises access to it.
#include <cstdint>
#include <string>
#include <vector>

#include "actors/bus/events.hpp"

namespace cg {

class bus_state {
 public:
  uint64_t subscribe(std::string prefix, event_sink sink);
  bool unsubscribe(uint64_t id);
  // Delivers to every subscriber whose prefix the topic starts with; returns how many.
  size_t publish(const event& e) const;
  size_t subscribers() const { return subs_.size(); }

 private:
  struct sub {
    uint64_t id;
    std::string prefix;
    event_sink sink;
  };
  std::vector<sub> subs_;
  uint64_t next_id_ = 1;
};

}  // namespace cg
