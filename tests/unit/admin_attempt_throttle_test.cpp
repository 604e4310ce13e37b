// The media API's password throttle (chat/admin/attempt_throttle.hpp), with
// time passed in.
#include "chat/admin/attempt_throttle.hpp"

#include <gtest/gtest.h>

namespace chat::admin {
namespace {

using namespace std::chrono_literals;
using Clock = AttemptThrottle::Clock;

int admitted(AttemptThrottle& throttle, std::string_view key, int tries, Clock::time_point now) {
  int n = 0;
  for (int i = 0; i < tries; ++i) n += throttle.admit(key, now) ? 0 : 1;
  return n;
}

TEST(AttemptThrottle, ABurstThenTheRate) {
  AttemptThrottle throttle({3, 6}, 100);  // 3 at once, then one per 10 s
  const Clock::time_point t0{};
  EXPECT_EQ(admitted(throttle, "alice", 10, t0), 3);
  EXPECT_EQ(throttle.admit("alice", t0), 10s) << "the next attempt is due in one interval";
  EXPECT_EQ(admitted(throttle, "alice", 5, t0 + 9s), 0);
  EXPECT_EQ(admitted(throttle, "alice", 5, t0 + 10s), 1);
  EXPECT_EQ(admitted(throttle, "alice", 5, t0 + 60s), 3) << "a quiet minute restores the burst";
}

TEST(AttemptThrottle, KeysAreCountedApart) {
  AttemptThrottle throttle({2, 1}, 100);
  const Clock::time_point t0{};
  EXPECT_EQ(admitted(throttle, "10.0.0.1", 5, t0), 2);
  EXPECT_EQ(admitted(throttle, "10.0.0.2", 5, t0), 2);
  EXPECT_EQ(throttle.keys(), 2u);
}

TEST(AttemptThrottle, MemoryIsBoundedWithoutForgettingSpentAllowances) {
  AttemptThrottle throttle({1, 60}, 2);  // one attempt a second per key, two keys at most
  const Clock::time_point t0{};
  EXPECT_FALSE(throttle.admit("a", t0));
  EXPECT_FALSE(throttle.admit("b", t0));
  EXPECT_EQ(throttle.admit("c", t0), 1s) << "no room: a new key waits";
  EXPECT_TRUE(throttle.admit("a", t0)) << "and a's spent allowance was kept";
  // A second later a and b have recovered: forgetting them changes nothing.
  EXPECT_FALSE(throttle.admit("c", t0 + 1s));
  EXPECT_EQ(throttle.keys(), 1u);
}

}  // namespace
}  // namespace chat::admin
