#pragma once
// What the server's routes see: a parsed request and the reply they give. Plain C++:
// the Beast sessions translate to and from these, so routing, auth, limits and the
// handlers are tested without sockets.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace cg::net {

enum class role : uint8_t { none = 0, reader = 1, writer = 2, admin = 3 };
std::string_view to_string(role r);
bool parse_role(std::string_view s, role& out);

// Who is asking, once authenticated.
struct principal {
  std::string subject;  // key id or JWT "sub"; "anonymous" in no-auth mode
  role granted = role::none;
  std::string project;  // "" : every project
  std::string via;      // "api_key", "jwt", "none"
  bool may(role need) const { return granted >= need; }
  bool may_project(std::string_view p) const { return project.empty() || project == p; }
};

struct api_request {
  std::string method;                                      // upper case
  std::string target;                                      // as sent
  std::string path;                                        // percent-decoded, no query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::unordered_map<std::string, std::string> headers;    // lower-case names
  std::string body;
  std::string remote_ip;
  std::string request_id;
  std::unordered_map<std::string, std::string> params;  // from the route pattern
  principal who;
  int loop = -1;  // the network loop (io_context) the connection lives on; -1: none
  // Set by the transport when the client goes away (or completes the operation)
  // while the request runs; long handlers (GraphQL) stop early. May be null.
  std::shared_ptr<std::atomic<bool>> cancel;

  std::string header(const std::string& lower_name) const;
  bool has_query(std::string_view name) const;
  std::string query_value(std::string_view name, std::string_view fallback = {}) const;
  std::vector<std::string> query_values(std::string_view name) const;  // repeated and comma-separated
};

struct api_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A body produced over time (NDJSON, Server-Sent Events). Thread-safe: write from any
// thread; the session queues the chunks on its network loop and writes one at a time.
class stream_sink {
 public:
  virtual ~stream_sink() = default;
  // false when the client has gone or is too slow (its queue is over the bound):
  // stop producing.
  virtual bool write(std::string chunk) = 0;
  // The same, with a coalescing key: the chunk takes the place of a queued, unsent
  // chunk with the same key (see gql::emit_fn).
  virtual bool write_keyed(std::string chunk, std::string key) { return write(std::move(chunk)); }
  virtual void close() = 0;  // the end of the body
  virtual bool open() const = 0;
  // Runs once when the stream ends for any reason (closed, client gone, shutdown).
  virtual void on_end(std::function<void()> fn) = 0;
};

struct stream_reply {
  int status = 200;
  std::string content_type;  // application/x-ndjson or text/event-stream
  std::vector<std::pair<std::string, std::string>> headers;
  // Runs on a worker thread once the headers are out; may return before the stream
  // ends (keep the sink and write later) or produce everything and close.
  std::function<void(std::shared_ptr<stream_sink>)> produce;
};

using api_reply = std::variant<api_response, stream_reply>;

// Percent-decoding of a path or query component ('+' is a space in queries only).
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);
// Splits a request target into its decoded path and query pairs; false on bad escapes.
bool split_target(std::string_view target, std::string& path, std::vector<std::pair<std::string, std::string>>& query);

// A Server-Sent Events frame: "event: NAME" (when given), then a data: field per line.
std::string sse_frame(std::string_view event, std::string_view data);

}  // namespace cg::net
