// chat-loadgen's core, no broker, no network. Counts and latency per time window.
#include "chat/loadgen/windows.hpp"

#include <gtest/gtest.h>

namespace chat::loadgen {
namespace {

TEST(LoadgenWindows, CountsAndLatencyPerWindow) {
  WindowedStats w(1'000'000, 10'000'000);  // 10 s windows from t = 1 s
  w.sent(1'000'000);
  w.sent(12'000'000);
  w.acked(2'000'000, 1'999'500, 1'999'500);
  w.acked(11'000'001, 2'000'001, 2'000'001);  // a slow ack lands in the window it happened in
  w.delivered(25'000'000, 700);
  ASSERT_EQ(w.windows().size(), 3U);
  EXPECT_EQ(w.windows()[0].sent, 1U);
  EXPECT_EQ(w.windows()[0].acked, 1U);
  EXPECT_EQ(w.windows()[0].ack.max(), 500U);
  EXPECT_EQ(w.windows()[1].sent, 1U);
  EXPECT_EQ(w.windows()[1].ack.max(), 9'000'000U);
  EXPECT_EQ(w.windows()[1].delivered, 0U);
  EXPECT_EQ(w.windows()[2].delivered, 1U);
  EXPECT_DOUBLE_EQ(w.seconds_of(0, 30'000'000), 10.0);
  EXPECT_DOUBLE_EQ(w.seconds_of(2, 26'000'000), 5.0) << "the last window is partial";
}
TEST(LoadgenWindows, SplitsIntendedToAckIntoOutboxWaitAndPublishToAck) {
  WindowedStats w(0, 1'000'000);  // 1 s windows
  // Due at 0.1 s, held in the outbox until 2.5 s, acked at 2.52 s: a user waited 2.42 s, the
  // broker and what is behind it took 20 ms.
  w.sent(100'000);
  w.acked(2'520'000, 100'000, 2'500'000);
  // Published on time: both latencies are the same.
  w.sent(2'600'000);
  w.acked(2'610'000, 2'600'000, 2'600'000);
  ASSERT_EQ(w.windows().size(), 3U);
  const auto& third = w.windows()[2];
  EXPECT_EQ(third.acked, 2U);
  EXPECT_EQ(third.ack.max(), 2'420'000U);
  EXPECT_EQ(third.publish_ack.max(), 20'000U);
  EXPECT_EQ(third.publish_ack.min(), 10'000U);
  EXPECT_EQ(third.outbox_wait.max(), 2'400'000U);
  EXPECT_EQ(third.outbox_wait.min(), 0U);
  // A clock step cannot make a latency negative.
  w.acked(2'700'000, 2'800'000, 2'900'000);
  EXPECT_EQ(w.windows()[2].ack.min(), 0U);
}

TEST(LoadgenWindows, UnackedAtTheEndOfAWindowIsTheSendersBacklogPlusInFlight) {
  WindowedStats w(0, 1'000'000);
  for (int i = 0; i < 10; ++i) w.sent(100'000);  // 10 due in window 0
  for (int i = 0; i < 4; ++i) w.acked(500'000, 100'000, 100'000);
  for (int i = 0; i < 5; ++i) w.sent(1'500'000);  // 5 more due in window 1
  for (int i = 0; i < 8; ++i) w.acked(1'600'000, 100'000, 1'000'000);
  w.acked(3'100'000, 1'500'000, 2'000'000);  // window 2 is empty, window 3 acks one
  EXPECT_EQ(w.unacked_at_end(0), 6U);
  EXPECT_EQ(w.unacked_at_end(1), 3U);
  EXPECT_EQ(w.unacked_at_end(2), 3U);
  EXPECT_EQ(w.unacked_at_end(3), 2U);
  EXPECT_EQ(w.unacked_at_end(99), 2U) << "past the last window: what is still unacked at the end";
}

}  // namespace
}  // namespace chat::loadgen
