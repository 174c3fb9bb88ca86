// The query-result cache: hits and misses, a time to live, LRU within a byte bound, a
// project's change dropping its entries only, and off when it has no room.
#include "net/app/result_cache.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace cg::net {
namespace {

using namespace std::chrono_literals;

TEST(ResultCache, HitsMissesAndAProjectsChangeDropsOnlyItsEntries) {
  result_cache c(1 << 20, 10s);
  ASSERT_TRUE(c.enabled());
  EXPECT_FALSE(c.get("a1"));
  c.put("a", "a1", "answer a1");
  c.put("a", "a2", "answer a2");
  c.put("b", "b1", "answer b1");
  EXPECT_EQ(c.get("a1").value_or(""), "answer a1");
  EXPECT_EQ(c.hits(), 1u);
  EXPECT_EQ(c.misses(), 1u);
  EXPECT_EQ(c.entries(), 3u);
  c.invalidate("a");
  EXPECT_FALSE(c.get("a1"));
  EXPECT_FALSE(c.get("a2"));
  EXPECT_EQ(c.get("b1").value_or(""), "answer b1");
  EXPECT_EQ(c.entries(), 1u);
  // A newer answer for a key replaces the older one.
  c.put("b", "b1", "newer");
  EXPECT_EQ(c.get("b1").value_or(""), "newer");
  EXPECT_EQ(c.entries(), 1u);
}

TEST(ResultCache, EntriesExpire) {
  result_cache c(1 << 20, 20ms);
  c.put("p", "k", "v");
  EXPECT_TRUE(c.get("k"));
  std::this_thread::sleep_for(40ms);
  EXPECT_FALSE(c.get("k"));
}

TEST(ResultCache, TheLeastRecentlyUsedGoFirstWithinTheByteBound) {
  result_cache c(4000, 10s);
  const std::string big(900, 'x');
  for (const char* k : {"k1", "k2", "k3", "k4"}) c.put("p", k, big);
  EXPECT_EQ(c.entries(), 4u);
  EXPECT_TRUE(c.get("k1"));  // k1 is now the most recent; k2 the least
  c.put("p", "k5", big);     // over 4000 bytes: k2 goes
  EXPECT_LE(c.bytes(), 4000u);
  EXPECT_FALSE(c.get("k2"));
  EXPECT_TRUE(c.get("k1"));
  EXPECT_TRUE(c.get("k5"));
  // One answer never takes more than a quarter of the cache (and evicts nothing).
  auto before = c.entries();
  c.put("p", "huge", std::string(1500, 'y'));
  EXPECT_FALSE(c.get("huge"));
  EXPECT_EQ(c.entries(), before);
}

TEST(ResultCache, NoRoomOrNoTimeMeansOff) {
  EXPECT_FALSE(result_cache(0, 10s).enabled());
  EXPECT_FALSE(result_cache(1 << 20, 0ms).enabled());
}

}  // namespace
}  // namespace cg::net
