// The outbound queue's coalescing and accounting (net/app/outbox.hpp).
#include "net/app/outbox.hpp"

#include <gtest/gtest.h>

namespace cg::net {
namespace {

outbox::payload msg(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

std::vector<std::string> drain(outbox& o) {
  std::vector<std::string> out;
  while (!o.empty()) {
    out.push_back(*o.start_front());
    o.pop_front();
  }
  return out;
}

TEST(outbox, keeps_order_and_counts_bytes) {
  outbox o;
  o.push(msg("a"));
  o.push(msg("bb"), "k");
  o.push(msg("ccc"));
  EXPECT_EQ(o.size(), 3u);
  EXPECT_EQ(o.bytes(), 6u);
  EXPECT_EQ(drain(o), (std::vector<std::string>{"a", "bb", "ccc"}));
  EXPECT_EQ(o.bytes(), 0u);
}

TEST(outbox, a_newer_message_takes_the_place_of_a_queued_one_with_its_key) {
  outbox o;
  o.push(msg("x1"), "node:1");
  o.push(msg("y1"), "node:2");
  o.push(msg("z"));
  auto old = o.replace("node:1", msg("x2-long"));
  ASSERT_TRUE(old);
  EXPECT_EQ(*old, 2u);
  EXPECT_FALSE(o.replace("node:3", msg("w")));  // no such key queued
  EXPECT_FALSE(o.replace("", msg("w")));        // no key: never replaces
  EXPECT_EQ(o.bytes(), 7u + 2u + 1u);
  EXPECT_EQ(drain(o), (std::vector<std::string>{"x2-long", "y1", "z"}));
}

TEST(outbox, the_message_being_written_is_never_replaced) {
  outbox o;
  o.push(msg("v1"), "k");
  EXPECT_EQ(*o.start_front(), "v1");
  EXPECT_FALSE(o.replace("k", msg("v2")));  // on the wire already
  o.push(msg("v2"), "k");                   // so the newer one queues behind it
  EXPECT_TRUE(o.replace("k", msg("v3")));   // and the next replaces that one
  EXPECT_EQ(o.pop_front(), 2u);
  EXPECT_EQ(drain(o), (std::vector<std::string>{"v3"}));
}

TEST(outbox, a_written_key_is_forgotten) {
  outbox o;
  o.push(msg("v1"), "k");
  o.start_front();
  o.pop_front();
  EXPECT_FALSE(o.replace("k", msg("v2")));
  o.push(msg("a"));
  o.push(msg("v2"), "k");
  o.start_front();
  o.pop_front();  // "a" leaves; "k" is still queued
  EXPECT_TRUE(o.replace("k", msg("v3")));
  EXPECT_EQ(drain(o), (std::vector<std::string>{"v3"}));
}

TEST(outbox, a_burst_to_one_key_costs_one_slot) {
  outbox o;
  o.push(msg("first"));
  o.start_front();  // a slow client: the first message is still being written
  for (int i = 0; i < 10000; ++i) {
    auto m = msg("state " + std::to_string(i));
    if (!o.replace("node:7", m)) o.push(m, "node:7");
  }
  EXPECT_EQ(o.size(), 2u);
  o.pop_front();
  EXPECT_EQ(drain(o), (std::vector<std::string>{"state 9999"}));
}

}  // namespace
}  // namespace cg::net
