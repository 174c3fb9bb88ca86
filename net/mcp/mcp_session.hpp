#pragma once
// One MCP client's session: JSON-RPC 2.0 messages in, responses and notifications
// out, over whatever carries them (stdio lines, Streamable HTTP). Lifecycle and
// version negotiation, tools, resources with subscriptions, prompts, logging,
// progress, cancellation and paginated lists. Plain C++ on nlohmann-json: the
// transports only move messages.
#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "net/app/api_types.hpp"
#include "net/mcp/mcp_host.hpp"

namespace cg::mcp {

using json = nlohmann::json;

namespace rpc {
constexpr int parse_error = -32700;
constexpr int invalid_request = -32600;
constexpr int method_not_found = -32601;
constexpr int invalid_params = -32602;
constexpr int internal_error = -32603;
constexpr int resource_not_found = -32002;
}  // namespace rpc

json rpc_error(const json& id, int code, std::string_view message);

// The protocol revisions served, newest first; negotiate() answers the client's when
// it is one of them, else the newest.
const std::vector<std::string>& protocol_versions();
bool supported_version(std::string_view v);
std::string negotiate(std::string_view requested);

// Sends one message to the client. Transports make it thread-safe.
using send_fn = std::function<void(const json&)>;

class session {
 public:
  session(host& h, net::principal who, std::string transport);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // A message or a batch from the client. Responses, and the notifications a request
  // sends while it runs (progress, its log lines), go to reply; the client's
  // notifications and responses get nothing. cancel (optional) is set by the
  // transport when the client goes away.
  void handle(const json& msg, const send_fn& reply, std::shared_ptr<std::atomic<bool>> cancel = nullptr);
  // Whether a message (or batch) holds a request, which needs a response.
  static bool has_request(const json& msg);
  // Whether handling it may take long (tools/call): transports run it apart, so that
  // a cancellation can arrive meanwhile.
  static bool is_long(const json& msg);

  // Messages the server starts (resource updates, list changes, log messages); an
  // empty function drops them (Streamable HTTP without an open GET stream).
  void set_push(send_fn push);
  bool initialized() const;
  std::string version() const;
  const net::principal& who() const { return who_; }
  const std::string& transport() const { return transport_; }
  // A log message to the client when at or above the level it set.
  void log(std::string_view level, const json& data);

  struct state;  // shared with engine event sinks

 private:
  json dispatch(const json& req, const send_fn& reply, const std::shared_ptr<std::atomic<bool>>& cancel);
  void notify(const json& method, const json& params = json::object());
  json initialize(const json& params);
  void cancel_call(const json& params);
  json set_level(const json& params);
  json subscribe(const json& params, bool on);
  void watch_events();

  host& host_;
  net::principal who_;
  std::string transport_;
  std::shared_ptr<state> st_;
};

}  // namespace cg::mcp
