#include "net/app/event_hub.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "actors/engine_json.hpp"
#include "net/app/ws_events.hpp"

namespace cg::net {
namespace {

std::string message(const nlohmann::json& j) { return j.dump(); }

}  // namespace

uint64_t event_hub::attach(std::weak_ptr<event_client> c, principal who) {
  std::lock_guard lock(clients_mu_);
  uint64_t id = next_client_++;
  clients_[id] = client{std::move(c), std::move(who), {}};
  return id;
}

void event_hub::detach(uint64_t id) {
  std::lock_guard lock(clients_mu_);
  clients_.erase(id);
}

std::string event_hub::subscribe_topics(uint64_t id, const std::vector<std::string>& topics) {
  std::lock_guard lock(clients_mu_);
  auto it = clients_.find(id);
  if (it == clients_.end()) return {};
  auto scoped = scope_topics(it->second.who, topics);
  if (auto* no = std::get_if<topic_refusal>(&scoped))
    return message({{"type", "error"}, {"code", no->code}, {"message", no->message}, {"topic", no->topic}});
  for (const auto& t : std::get<std::vector<std::string>>(scoped)) it->second.topics.insert(t);
  return message({{"type", "subscribed"}, {"topics", it->second.topics}});
}

std::string event_hub::on_client_message(uint64_t id, std::string_view text) {
  auto cmd = parse_events_message(text);
  if (!cmd.ok()) return message({{"type", "error"}, {"code", "bad_message"}, {"message", cmd.err().message}});
  if (cmd->type == "subscribe") return subscribe_topics(id, cmd->topics);
  if (cmd->type == "unsubscribe") {
    std::lock_guard lock(clients_mu_);
    auto it = clients_.find(id);
    if (it == clients_.end()) return {};
    for (const auto& t : cmd->topics) it->second.topics.erase(t);
    return message({{"type", "subscribed"}, {"topics", it->second.topics}});
  }
  return message({{"type", "pong"}});
}

uint64_t event_hub::listen(std::function<void(const event&)> fn) {
  std::lock_guard lock(listeners_mu_);
  auto id = next_listener_++;
  listeners_.emplace(id, std::make_shared<const std::function<void(const event&)>>(std::move(fn)));
  return id;
}

void event_hub::unlisten(uint64_t id) {
  std::lock_guard lock(listeners_mu_);
  listeners_.erase(id);
}

void event_hub::call_listeners(const event& e) {
  std::vector<std::shared_ptr<const std::function<void(const event&)>>> ls;
  ++event_serial_;  // events arrive one at a time (the bus's thread)
  {
    std::lock_guard lock(listeners_mu_);
    for (auto& [id, fn] : listeners_) ls.push_back(fn);
  }
  for (auto& fn : ls) {
    try {
      (*fn)(e);
    } catch (const std::exception& ex) {
      spdlog::error("event listener failed: {}", ex.what());
    }
  }
}

// Serialised once, shared by every matching client.
void event_hub::send_to_clients(const event& e) {
  std::vector<std::shared_ptr<event_client>> targets;
  {
    std::lock_guard lock(clients_mu_);
    auto proj = topic_project(e.topic);
    for (auto& [id, c] : clients_) {
      if (!c.who.may_project(proj)) continue;
      bool match = false;
      for (const auto& t : c.topics) match = match || topic_matches(t, e.topic);
      if (!match) continue;
      if (auto sp = c.c.lock()) targets.push_back(std::move(sp));
    }
  }
  if (targets.empty()) return;
  auto j = event_json(e);
  j["type"] = "event";
  j["event"] = event_json(e)["type"];
  auto text = std::make_shared<const std::string>(j.dump());
  for (auto& t : targets) t->send(text);
}

}  // namespace cg::net
