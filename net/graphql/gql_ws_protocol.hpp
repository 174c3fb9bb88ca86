#pragma once
// graphql-transport-ws (the protocol of the graphql-ws npm package) as a plain class:
// client messages in, actions out (send a message, close with a code, start an
// operation). The WebSocket session (net/transport/ws_session.cpp) only moves bytes and runs
// the actions; the protocol's decisions are unit-tested and fuzzed without sockets.
// Not thread-safe: the session calls it on its connection's loop only.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "net/app/api_types.hpp"
#include "schema/graphql/execute.hpp"
#include "schema/result.hpp"

namespace cg::net {

// WebSocket close codes the server sends (RFC 6455 and graphql-transport-ws).
namespace ws_close {
inline constexpr uint16_t going_away = 1001;       // server shutting down
inline constexpr uint16_t bad_payload = 1007;      // a binary frame where text is expected
inline constexpr uint16_t policy = 1008;           // slow consumer
inline constexpr uint16_t invalid_message = 4400;  // not a protocol message (bad JSON, unknown type, ...)
inline constexpr uint16_t unauthorized = 4401;     // subscribe before connection_ack
inline constexpr uint16_t forbidden = 4403;        // bad or missing token in connection_init
inline constexpr uint16_t init_timeout = 4408;     // no connection_init in time
inline constexpr uint16_t duplicate_id = 4409;     // an operation id already running
inline constexpr uint16_t too_many_inits = 4429;   // a second connection_init
inline constexpr uint16_t unavailable = 4500;      // GraphQL is not available
}  // namespace ws_close

class gql_ws_protocol {
 public:
  struct hooks {
    // The principal of a connection_init token (authorization value or bare token).
    std::function<result<principal>(std::string_view authorization, std::string_view token)> authenticate;
    std::function<void(std::string text)> send;
    std::function<void(uint16_t code, std::string reason)> close;
    // Runs an operation; its results come back through the session, which calls
    // attach() when it is a subscription and finish() at its end.
    std::function<void(const std::string& id, gql::request req, const principal& who,
                       std::shared_ptr<std::atomic<bool>> cancel)>
        start;
    bool available = true;  // false: GraphQL did not start (subscribe closes 4500)
  };

  // who: the principal of a token sent with the upgrade (role none: it comes in
  // connection_init).
  gql_ws_protocol(hooks h, principal who, size_t max_operations = 100);
  ~gql_ws_protocol();  // every running operation is cancelled
  gql_ws_protocol(const gql_ws_protocol&) = delete;
  gql_ws_protocol& operator=(const gql_ws_protocol&) = delete;

  // One text message from the client; false once the connection is being closed.
  bool on_message(std::string_view text);
  // The init timer fired: closes 4408 unless connection_init came.
  void on_init_timeout();

  // A running subscription's handle (dropped, which stops it, when the client
  // completes the operation or the connection ends).
  void attach(const std::string& id, std::shared_ptr<gql::stream_handle> h);
  // The server ends the operation (its complete or error message goes out): true when
  // it was still running, so the message should be sent.
  bool finish(const std::string& id);
  bool running(const std::string& id) const { return ops_.count(id) != 0; }
  size_t operations() const { return ops_.size(); }
  bool acked() const { return acked_; }
  const principal& who() const { return who_; }

  // Server-to-client messages.
  static std::string next_prefix(
      const std::string& id);  // {"type":"next","id":...,"payload":  (then the payload and '}')
  static std::string complete_message(const std::string& id);
  static std::string error_message(const std::string& id, const gql::json& errors);

 private:
  bool fail(uint16_t code, std::string reason);
  bool on_init(const nlohmann::json& j);
  bool on_subscribe(const nlohmann::json& j);
  void on_complete(const nlohmann::json& j);

  struct op {
    std::shared_ptr<std::atomic<bool>> cancel;
    std::shared_ptr<gql::stream_handle> handle;
  };
  hooks h_;
  principal who_;
  size_t max_ops_;
  bool init_seen_ = false, acked_ = false, closed_ = false;
  std::unordered_map<std::string, op> ops_;
};

}  // namespace cg::net
