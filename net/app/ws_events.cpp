#include "net/app/ws_events.hpp"

#include "net/app/policy.hpp"
#include "schema/client_json.hpp"

namespace cg::net {

result<events_command> parse_events_message(std::string_view text) {
  auto parsed = parse_client_json(text);
  if (!parsed.ok()) return parsed.err();
  const auto& j = *parsed;
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
    return make_error(errc::invalid_argument, "send a JSON object with a type");
  events_command c;
  c.type = j["type"].get<std::string>();
  if (c.type != "subscribe" && c.type != "unsubscribe" && c.type != "ping")
    return make_error(errc::invalid_argument, "unknown type " + c.type);
  if (j.contains("topics") && j["topics"].is_array())
    for (const auto& t : j["topics"])
      if (t.is_string()) c.topics.push_back(t.get<std::string>());
  if (j.contains("topic") && j["topic"].is_string()) c.topics.push_back(j["topic"].get<std::string>());
  if (c.type == "subscribe" && c.topics.empty()) return make_error(errc::invalid_argument, "no topics");
  return c;
}

std::string_view topic_project(std::string_view topic) {
  auto slash = topic.find('/');
  return slash == std::string_view::npos ? std::string_view{} : topic.substr(slash + 1);
}

bool topic_matches(std::string_view sub, std::string_view topic) {
  if (sub.ends_with('/')) return topic.starts_with(sub);
  return topic == sub;
}

std::variant<std::vector<std::string>, topic_refusal> scope_topics(const principal& who,
                                                                   const std::vector<std::string>& asked) {
  std::vector<std::string> accepted;
  for (const auto& t : asked) {
    if (t == "*") {
      for (const char* k : {"progress/", "changes/", "index/", "versions/"}) accepted.push_back(k + who.project);
      continue;
    }
    auto slash = t.find('/');
    auto kind = t.substr(0, slash);
    if (slash == std::string::npos ||
        (kind != "progress" && kind != "changes" && kind != "index" && kind != "versions"))
      return topic_refusal{
          "bad_topic", "topics are progress/P, changes/P, index/P or versions/P (P: a project, or empty for all)", t};
    auto proj = topic_project(t);
    // "changes/" means every project the caller may see: for a scoped token, its own.
    if (proj.empty()) {
      accepted.push_back(kind + "/" + who.project);
      continue;
    }
    if (auto d = authorize(who, operation::events_subscribe, proj); !d.allowed)
      return topic_refusal{"forbidden", d.message, t};
    accepted.push_back(t);
  }
  return accepted;
}

}  // namespace cg::net
