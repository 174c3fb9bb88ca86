#pragma once
// The /ws event channel's client messages and topics, as plain functions: what a
// message asks ({"type": "subscribe"|"unsubscribe"|"ping", "topics"|"topic"}) and
// which topics a principal gets for the topics it asks for (a scoped token's "" project
// becomes its own). The app keeps the subscriptions; these decide. Unit-tested and fuzzed.
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "net/app/api_types.hpp"
#include "schema/result.hpp"

namespace cg::net {

struct events_command {
  std::string type;  // subscribe, unsubscribe, ping
  std::vector<std::string> topics;
};

// invalid_argument (a message for the client) for anything else.
result<events_command> parse_events_message(std::string_view text);

// The topics `who` is subscribed to when it asks for `asked`: progress/P, changes/P,
// index/P (P empty: every project it may see), or "*" (all three); or the first
// topic refused, with its code (bad_topic, forbidden) and why.
struct topic_refusal {
  std::string code, message, topic;
};
std::variant<std::vector<std::string>, topic_refusal> scope_topics(const principal& who,
                                                                   const std::vector<std::string>& asked);

// Whether a subscription to `sub` (a topic, or a "kind/" prefix) gets events of `topic`.
bool topic_matches(std::string_view sub, std::string_view topic);
// "progress/p" -> "p".
std::string_view topic_project(std::string_view topic);

}  // namespace cg::net
