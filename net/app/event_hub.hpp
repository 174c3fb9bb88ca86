#pragma once
// The server's event hub: engine events to the clients of the /ws event channel (each
// with its principal and topics; an event goes only to clients that subscribed to a
// matching topic and may see its project, serialised once for all of them) and to
// plain listeners (GraphQL subscriptions). Thread-safe; events come one at a time
// (the bus's thread).
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/bus/events.hpp"
#include "net/app/auth.hpp"

namespace cg::net {

// A WebSocket client of the event channel, as the hub sees it.
class event_client {
 public:
  virtual ~event_client() = default;
  // Queues a text message; false when the client is gone.
  virtual bool send(std::shared_ptr<const std::string> text) = 0;
};

class event_hub {
 public:
  // /ws clients: attach with the principal, then subscribe to topics.
  uint64_t attach(std::weak_ptr<event_client> c, principal who);
  void detach(uint64_t id);
  // A client message (subscribe, unsubscribe, ping): the reply to send (may be empty).
  // Bad messages get an error reply.
  std::string on_client_message(uint64_t id, std::string_view text);
  // Topics the client may have (scoped to its projects), or an error reply.
  std::string subscribe_topics(uint64_t id, const std::vector<std::string>& topics);

  // Plain listeners of every event. Called on the bus's thread: must not block for
  // long. After unlisten returns, a call already running may still finish.
  uint64_t listen(std::function<void(const event&)> fn);
  void unlisten(uint64_t id);
  // Which event the listeners are being called for (a new number per event): lets
  // them share work done once per event.
  uint64_t event_serial() const { return event_serial_.load(); }

  // One event: to the listeners (a listener that throws is logged, the others still
  // hear it), then, with send_to_clients, to the matching /ws clients.
  void call_listeners(const event& e);
  void send_to_clients(const event& e);

 private:
  struct client {
    std::weak_ptr<event_client> c;
    principal who;
    std::set<std::string> topics;
  };
  std::atomic<uint64_t> event_serial_{0};
  std::mutex listeners_mu_;
  std::map<uint64_t, std::shared_ptr<const std::function<void(const event&)>>> listeners_;
  uint64_t next_listener_ = 1;
  std::mutex clients_mu_;
  std::unordered_map<uint64_t, client> clients_;
  uint64_t next_client_ = 1;
};

}  // namespace cg::net
