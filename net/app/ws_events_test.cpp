// The /ws event channel's messages and topic scoping.
#include "net/app/ws_events.hpp"

#include <gtest/gtest.h>

namespace cg::net {
namespace {

principal as(std::string project) { return principal{"k", role::reader, std::move(project), "api_key"}; }

TEST(WsEvents, Messages) {
  auto sub = parse_events_message(R"({"type":"subscribe","topics":["changes/p",3],"topic":"index/"})");
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->type, "subscribe");
  EXPECT_EQ(sub->topics, (std::vector<std::string>{"changes/p", "index/"}));
  EXPECT_TRUE(parse_events_message(R"({"type":"ping"})").ok());
  for (const char* bad : {"", "[]", R"({"type":"subscribe"})", R"({"type":"nope"})", R"({"type":5})"})
    EXPECT_FALSE(parse_events_message(bad).ok()) << bad;
  auto deep = parse_events_message(std::string(10000, '[') + std::string(10000, ']'));
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.err().message.find("nested"), std::string::npos);
}

TEST(WsEvents, TopicsAreScoped) {
  using topics = std::vector<std::string>;
  auto all = std::get<topics>(scope_topics(as(""), {"*", "changes/", "progress/p2"}));
  EXPECT_EQ(all, (topics{"progress/", "changes/", "index/", "versions/", "changes/", "progress/p2"}));
  // A scoped token: "" and "*" mean its own project; another project is refused.
  auto own = std::get<topics>(scope_topics(as("p1"), {"*", "changes/", "index/p1"}));
  EXPECT_EQ(own, (topics{"progress/p1", "changes/p1", "index/p1", "versions/p1", "changes/p1", "index/p1"}));
  auto versions = std::get<topics>(scope_topics(as("p1"), {"versions/"}));
  EXPECT_EQ(versions, (topics{"versions/p1"}));
  auto other = scope_topics(as("p1"), {"changes/p1", "changes/p2"});
  ASSERT_TRUE(std::holds_alternative<topic_refusal>(other));
  EXPECT_EQ(std::get<topic_refusal>(other).code, "forbidden");
  EXPECT_EQ(std::get<topic_refusal>(other).topic, "changes/p2");
  auto bad = scope_topics(as(""), {"nodes/p"});
  EXPECT_EQ(std::get<topic_refusal>(bad).code, "bad_topic");
  EXPECT_TRUE(topic_matches("changes/", "changes/p"));
  EXPECT_FALSE(topic_matches("changes/p", "changes/p2"));
  EXPECT_EQ(topic_project("index/p"), "p");
}

}  // namespace
}  // namespace cg::net
