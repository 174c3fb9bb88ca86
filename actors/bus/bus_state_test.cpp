// Topic-prefix fan-out: a subscriber gets what its prefix starts, an unsubscribed one
// nothing; ids are never reused.
#include "actors/bus/bus_state.hpp"

#include <gtest/gtest.h>

namespace cg {
namespace {

event progress_of(const std::string& project) {
  event e;
  e.topic = topics::progress(project);
  index_progress p;
  p.project = project;
  e.payload = p;
  return e;
}

TEST(BusState, DeliversByTopicPrefix) {
  bus_state b;
  std::vector<std::string> all, one, changes;
  auto a = b.subscribe("", [&](const event& e) { all.push_back(e.topic); });
  auto p = b.subscribe(topics::progress("app"), [&](const event& e) { one.push_back(e.topic); });
  b.subscribe("changes/", [&](const event& e) { changes.push_back(e.topic); });
  EXPECT_NE(a, p);
  EXPECT_EQ(b.subscribers(), 3u);
  EXPECT_EQ(b.publish(progress_of("app")), 2u);
  EXPECT_EQ(b.publish(progress_of("lib")), 1u);
  event c;
  c.topic = topics::changes("app");
  c.payload = node_changes{};
  EXPECT_EQ(b.publish(c), 2u);
  EXPECT_EQ(all, (std::vector<std::string>{"progress/app", "progress/lib", "changes/app"}));
  EXPECT_EQ(one, (std::vector<std::string>{"progress/app"}));
  EXPECT_EQ(changes, (std::vector<std::string>{"changes/app"}));
  // A prefix is a prefix of the topic, not of the project name alone: "progress/app"
  // also matches "progress/apple" (subscribers add a '/' or match exactly).
  EXPECT_EQ(b.publish(progress_of("apple")), 2u);
}

TEST(BusState, UnsubscribedSinksHearNothingAndIdsAreNotReused) {
  bus_state b;
  int n = 0;
  auto id = b.subscribe("progress/", [&](const event&) { ++n; });
  EXPECT_TRUE(b.unsubscribe(id));
  EXPECT_FALSE(b.unsubscribe(id));  // once
  EXPECT_EQ(b.publish(progress_of("x")), 0u);
  EXPECT_EQ(n, 0);
  auto next = b.subscribe("progress/", [&](const event&) { ++n; });
  EXPECT_NE(next, id);
  EXPECT_EQ(b.publish(progress_of("x")), 1u);
  EXPECT_EQ(n, 1);
}

}  // namespace
}  // namespace cg
