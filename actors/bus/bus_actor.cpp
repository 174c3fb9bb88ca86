// The event bus: serialises subscription changes and fan-out over bus_state.
#include <spdlog/spdlog.h>

#include "actors/bus/bus_state.hpp"
#include "actors/caf_types.hpp"

namespace cg {
namespace {
struct bus_holder {
  bus_state bus;
  static inline const char* name = "cg.bus";
};
}  // namespace

bus_actor spawn_bus(caf::actor_system& sys, depth_gauge depth) {
  // On a thread of its own: events go out while the scheduler's workers are busy
  // (a watch run's resolution held node changes back until it ended, ~100 ms).
  return sys.spawn<caf::detached>(
      [depth](bus_actor::stateful_pointer<bus_holder> self, spawn_tag) -> bus_actor::behavior_type {
        return {
            [=](publish_atom, const event_ptr& ev) {
              note_depth(self, depth);
              try {
                self->state.bus.publish(*ev);
              } catch (const std::exception& e) {
                spdlog::error("event sink failed on {}: {}", ev->topic, e.what());
              }
            },
            [=](subscribe_atom, std::string prefix, const sink_ptr& sink) -> uint64_t {
              return self->state.bus.subscribe(std::move(prefix), *sink);
            },
            [=](unsubscribe_atom, uint64_t id) -> bool { return self->state.bus.unsubscribe(id); },
        };
      },
      spawn_tag{});
}

}  // namespace cg
