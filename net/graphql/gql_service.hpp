#pragma once
#include <chrono>
// GraphQL for the server: the CodeGraph schema (schema/codegraph.graphql) with its
// resolvers over the engine, and the entry points the transports share (HTTP,
// graphql-transport-ws, graphql-sse). Plain C++: no Beast.
#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "net/app/api_types.hpp"
#include "net/app/policy.hpp"
#include "net/graphql/gql_request.hpp"
#include "schema/graphql/cost.hpp"
#include "schema/graphql/execute.hpp"

namespace cg::net {

class app;

// What resolvers see of the request.
struct gql_request_ctx {
  app* a = nullptr;
  principal who;
  api_request origin;  // the HTTP request or WebSocket upgrade (no body): for the audit log
};

// Waits (up to `limit`) for the threads of searchStream subscriptions still running
// (their streams disposed or not): they use the engine, which must outlive them.
void wait_for_search_streams(std::chrono::milliseconds limit);

class graphql_service {
 public:
  static result<std::unique_ptr<graphql_service>> create(app& a);
  ~graphql_service();

  const gql::schema& schema() const { return *schema_; }

  // Parses a transport's request object ({"query", "variables", "operationName"}).
  static result<gql::request> request_from_json(const nlohmann::json& j);

  // The cost rules of the CodeGraph schema (the limit from [server] graphql_max_cost).
  const gql::cost_options& cost_rules() const { return cost_; }

  // Runs a query or mutation to its end (blocking: call it on a worker thread).
  // read_only refuses mutations (GET). The response and the HTTP status for it.
  std::pair<int, gql::json> execute(const api_request& origin, const gql::request& req, bool read_only);

  // For streaming transports: a subscription, or any other operation as one result.
  // on_next gets each result payload, serialised, with its coalescing key (see
  // gql::emit_fn: a transport may drop a queued, unsent payload when a newer one with
  // the same non-empty key comes); on_done runs once at the end with
  // the errors that ended it (null for a normal end). Queries and mutations run on
  // the caller's thread (a worker); events arrive on engine threads.
  //
  // Identical subscriptions (same document, variables, operation and project scope)
  // share one source stream: each event is executed and serialised once and the same
  // bytes go to every member (fan-out to thousands of dashboards costs one
  // execution per event, not one per client).
  using payload_ptr = std::shared_ptr<const std::string>;
  using next_fn = std::function<void(payload_ptr, const std::string& coalesce)>;
  std::unique_ptr<gql::stream_handle> start(const api_request& origin, const gql::request& req, next_fn on_next,
                                            std::function<void(gql::json errors)> on_done);
  size_t shared_streams();
  uint64_t subscriptions_started() const { return subscriptions_.load(); }
  // Queries and mutations executing now (every transport).
  int64_t operations_running() const { return running_.load(); }

  // Fan-out lanes: ordered executors on the network threads (the server's strands).
  // An event for many members is handed to the lanes, each member always to the same
  // lane (so its events keep their order), instead of one post per member from the
  // thread that made the event; a transport's on_next then runs on a network thread
  // and can write at once. Without lanes on_next runs on the event's thread.
  // Lane i runs on network loop i % loops; a member whose connection lives on loop c
  // (api_request::loop) gets one of loop c's lanes, so its writes never cross loops.
  using lane = std::function<void(std::function<void()>)>;
  void set_fanout_lanes(std::vector<lane> lanes, size_t loops = 1) {
    lanes_ = std::move(lanes);
    loops_ = std::max<size_t>(1, std::min(loops, lanes_.size()));
  }
  // The lane of member `id` of a connection on `loop` (-1: any), of `lanes` lanes
  // over `loops` loops.
  static size_t lane_of(size_t lanes, size_t loops, int loop, uint64_t id);
  size_t lane_for(int loop, uint64_t id) const { return lane_of(lanes_.size(), loops_, loop, id); }

  struct group;  // one shared subscription stream and its members (gql_service.cpp)

 private:
  explicit graphql_service(app& a);
  // The operation's budget: time and memory from the options, the transport's
  // cancellation flag, the server's abort flag.
  std::shared_ptr<gql::exec_budget> budget_for(const api_request& origin, bool cancellable) const;
  app& a_;
  gql::cost_options cost_;
  std::shared_ptr<gql::schema> schema_;
  std::atomic<uint64_t> subscriptions_{0};
  std::atomic<int64_t> running_{0};
  std::vector<lane> lanes_;  // set once, before the first subscription
  size_t loops_ = 1;
  std::mutex groups_mu_;
  std::unordered_map<std::string, std::weak_ptr<group>> groups_;
};

// The SDL compiled into the binary (generated from schema/codegraph.graphql).
extern const char* const codegraph_sdl;

// Wires the CodeGraph resolvers into s (net/graphql/gql_resolvers.cpp).
status wire_resolvers(gql::schema& s);

// The operation (net/app/policy.hpp) of every root field ("Query.node", ...): checked
// before the field's resolver or event source runs.
const std::vector<std::pair<std::string_view, operation>>& graphql_root_operations();

}  // namespace cg::net
