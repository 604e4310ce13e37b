// The retry schedule: exponential up to a cap, with jitter in the upper half.
#include "chat/bridge/backoff.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace chat::bridge {
namespace {

using namespace std::chrono_literals;

TEST(BridgeBackoff, DoublesUpToTheCap) {
  const BackoffPolicy policy{100ms, 1000ms};
  EXPECT_EQ(backoff_ceiling(policy, 1), 100ms);
  EXPECT_EQ(backoff_ceiling(policy, 2), 200ms);
  EXPECT_EQ(backoff_ceiling(policy, 4), 800ms);
  EXPECT_EQ(backoff_ceiling(policy, 5), 1000ms);
  EXPECT_EQ(backoff_ceiling(policy, 1000), 1000ms);
}

TEST(BridgeBackoff, JitterStaysInTheUpperHalf) {
  const BackoffPolicy policy{100ms, 1000ms};
  EXPECT_EQ(backoff_delay(policy, 3, 0.0), 200ms);
  EXPECT_EQ(backoff_delay(policy, 3, 1.0), 400ms);
  EXPECT_EQ(backoff_delay(policy, 3, 0.5), 300ms);
  EXPECT_EQ(backoff_delay(policy, 3, 7.0), 400ms);
  Backoff backoff(policy, 42);
  std::chrono::milliseconds previous_ceiling{0};
  for (int i = 1; i <= 8; ++i) {
    const auto d = backoff.next();
    EXPECT_GE(d, backoff_ceiling(policy, i) / 2);
    EXPECT_LE(d, backoff_ceiling(policy, i));
    EXPECT_GE(backoff_ceiling(policy, i), previous_ceiling);
    previous_ceiling = backoff_ceiling(policy, i);
  }
  EXPECT_EQ(backoff.attempts(), 8);
  backoff.reset();
  EXPECT_LE(backoff.next(), 100ms);
}

}  // namespace
}  // namespace chat::bridge
