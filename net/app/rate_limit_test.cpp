// Token buckets: a burst, then a wait that says how long; keys apart; refill with time.
#include "net/app/rate_limit.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace cg::net {
namespace {

TEST(RateLimiter, ABurstThenAWaitOfAboutOneTokensTime) {
  rate_limiter r(10, 3);  // 10 a second, bursts of 3
  ASSERT_TRUE(r.enabled());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(r.take("k"), 0) << i;
  double wait = r.take("k");
  EXPECT_GT(wait, 0.05);
  EXPECT_LE(wait, 0.1 + 1e-6);
  EXPECT_EQ(r.take("other"), 0);  // another key has its own bucket
  EXPECT_EQ(r.buckets(), 2u);
}

TEST(RateLimiter, TokensComeBackWithTime) {
  rate_limiter r(100, 1);
  EXPECT_EQ(r.take("k"), 0);
  EXPECT_GT(r.take("k"), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // 3 tokens' worth, capped at 1
  EXPECT_EQ(r.take("k"), 0);
  EXPECT_GT(r.take("k"), 0);
}

TEST(RateLimiter, ARateOfZeroIsOff) {
  rate_limiter r(0, 0);
  EXPECT_FALSE(r.enabled());
}

}  // namespace
}  // namespace cg::net
