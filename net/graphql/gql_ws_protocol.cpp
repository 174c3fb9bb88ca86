#include "net/graphql/gql_ws_protocol.hpp"

#include "net/app/policy.hpp"
#include "net/graphql/gql_request.hpp"
#include "schema/client_json.hpp"

namespace cg::net {

gql_ws_protocol::gql_ws_protocol(hooks h, principal who, size_t max_operations)
    : h_(std::move(h)), who_(std::move(who)), max_ops_(max_operations) {}

gql_ws_protocol::~gql_ws_protocol() {
  for (auto& [id, o] : ops_)
    if (o.cancel) o.cancel->store(true);
}

bool gql_ws_protocol::fail(uint16_t code, std::string reason) {
  if (!closed_) {
    closed_ = true;
    h_.close(code, std::move(reason));
  }
  return false;
}

bool gql_ws_protocol::on_message(std::string_view text) {
  if (closed_) return false;
  auto parsed = parse_client_json(text);
  if (!parsed.ok() || !parsed->is_object() || !parsed->contains("type") || !(*parsed)["type"].is_string())
    return fail(ws_close::invalid_message, "Invalid message received");
  const auto& j = *parsed;
  auto type = j["type"].get<std::string>();
  if (type == "connection_init") return on_init(j);
  if (type == "ping") {
    h_.send(R"({"type":"pong"})");
    return true;
  }
  if (type == "pong") return true;
  if (type == "subscribe") return on_subscribe(j);
  if (type == "complete") {
    on_complete(j);
    return true;
  }
  return fail(ws_close::invalid_message, "Invalid message received");
}

void gql_ws_protocol::on_init_timeout() {
  if (!acked_) fail(ws_close::init_timeout, "Connection initialisation timeout");
}

bool gql_ws_protocol::on_init(const nlohmann::json& j) {
  if (init_seen_) return fail(ws_close::too_many_inits, "Too many initialisation requests");
  init_seen_ = true;
  if (j.contains("payload") && !j["payload"].is_null() && !j["payload"].is_object())
    return fail(ws_close::invalid_message, "Invalid message received");
  if (who_.granted == role::none) {  // the token comes in the payload
    std::string authz, token;
    if (j.contains("payload") && j["payload"].is_object()) {
      const auto& p = j["payload"];
      for (const char* k : {"authorization", "Authorization"})
        if (p.contains(k) && p[k].is_string()) authz = p[k].get<std::string>();
      for (const char* k : {"token", "access_token"})
        if (p.contains(k) && p[k].is_string()) token = p[k].get<std::string>();
    }
    auto who = h_.authenticate(authz, token);
    if (!who.ok() || !authorize(*who, operation::graphql).allowed) return fail(ws_close::forbidden, "Forbidden");
    who_ = *who;
  }
  acked_ = true;
  h_.send(R"({"type":"connection_ack"})");
  return true;
}

bool gql_ws_protocol::on_subscribe(const nlohmann::json& j) {
  if (!acked_) return fail(ws_close::unauthorized, "Unauthorized");
  if (!j.contains("id") || !j["id"].is_string() || j["id"].get<std::string>().empty() || !j.contains("payload"))
    return fail(ws_close::invalid_message, "Invalid message received");
  auto id = j["id"].get<std::string>();
  auto gr = gql_request_from_json(j["payload"]);
  if (!gr.ok()) return fail(ws_close::invalid_message, "Invalid message received");
  if (ops_.count(id)) return fail(ws_close::duplicate_id, "Subscriber for " + id.substr(0, 64) + " already exists");
  if (ops_.size() >= max_ops_) {
    h_.send(error_message(id, gql::json::array({{{"message", "too many operations on this connection (" +
                                                                 std::to_string(max_ops_) + ")"}}})));
    return true;
  }
  if (!h_.available) return fail(ws_close::unavailable, "GraphQL is not available");
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  ops_[id] = op{cancel, nullptr};
  h_.start(id, std::move(*gr), who_, cancel);
  return true;
}

void gql_ws_protocol::on_complete(const nlohmann::json& j) {
  if (!j.contains("id") || !j["id"].is_string()) return;
  auto it = ops_.find(j["id"].get<std::string>());
  if (it == ops_.end()) return;
  if (it->second.cancel) it->second.cancel->store(true);  // a running query stops early
  ops_.erase(it);                                         // a subscription's handle goes: it stops
}

void gql_ws_protocol::attach(const std::string& id, std::shared_ptr<gql::stream_handle> h) {
  if (auto it = ops_.find(id); it != ops_.end()) it->second.handle = std::move(h);
  // else: completed already; the handle goes here, which stops it
}

bool gql_ws_protocol::finish(const std::string& id) { return ops_.erase(id) != 0; }

std::string gql_ws_protocol::next_prefix(const std::string& id) {
  return "{\"type\":\"next\",\"id\":" +
         nlohmann::json(id).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ",\"payload\":";
}

std::string gql_ws_protocol::complete_message(const std::string& id) {
  return nlohmann::json({{"type", "complete"}, {"id", id}})
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string gql_ws_protocol::error_message(const std::string& id, const gql::json& errors) {
  gql::json m = gql::json::object();
  m["type"] = "error";
  m["id"] = id;
  m["payload"] = errors;
  return m.dump(-1, ' ', false, gql::json::error_handler_t::replace);
}

}  // namespace cg::net
