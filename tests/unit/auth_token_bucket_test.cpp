// The token bucket behind the plugin's per-user publish rate and password
// checks: the burst, the refill rate, asking without taking, and when an idle
// bucket may be forgotten.
#include "token_bucket.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace chat::auth {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

TEST(AuthTokenBucket, AllowsTheBurstThenTheRate) {
  TokenBucket bucket(10, 3, 0);
  EXPECT_TRUE(bucket.try_take(0));
  EXPECT_TRUE(bucket.try_take(0));
  EXPECT_TRUE(bucket.try_take(0));
  EXPECT_FALSE(bucket.try_take(0));
  EXPECT_FALSE(bucket.try_take(kSecond / 20));  // half a token
  EXPECT_TRUE(bucket.try_take(kSecond / 10));
  EXPECT_FALSE(bucket.try_take(kSecond / 10));
  EXPECT_TRUE(bucket.try_take(10 * kSecond));
  EXPECT_TRUE(bucket.try_take(10 * kSecond));
  EXPECT_TRUE(bucket.try_take(10 * kSecond));
  EXPECT_FALSE(bucket.try_take(10 * kSecond)) << "never more than the burst saved up";
}

TEST(AuthTokenBucket, IdleWhenFullAndUnused) {
  TokenBucket bucket(1, 2, 0);
  EXPECT_FALSE(bucket.idle(0, kSecond));
  bucket.try_take(0);
  EXPECT_FALSE(bucket.idle(kSecond / 2, kSecond));
  EXPECT_TRUE(bucket.idle(5 * kSecond, kSecond));
}

TEST(AuthTokenBucket, HasTellsWithoutTaking) {
  TokenBucket bucket(1, 1, 0);
  EXPECT_TRUE(bucket.has(0));
  EXPECT_TRUE(bucket.has(0)) << "asking takes nothing";
  EXPECT_FALSE(bucket.has(0, 2)) << "more than it holds";
  EXPECT_TRUE(bucket.try_take(0));
  EXPECT_FALSE(bucket.has(kSecond / 2));
  EXPECT_TRUE(bucket.has(kSecond));
}

}  // namespace
}  // namespace chat::auth
