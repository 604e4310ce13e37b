// chat-loadgen's core, no broker, no network. Counts and latency per time window.
#include "chat/loadgen/windows.hpp"

#include <gtest/gtest.h>

namespace chat::loadgen {
namespace {

TEST(LoadgenWindows, CountsAndLatencyPerWindow) {
  WindowedStats w(1'000'000, 10'000'000);  // 10 s windows from t = 1 s
  w.sent(1'000'000);
  w.sent(12'000'000);
  w.acked(2'000'000, 500);
  w.acked(11'000'001, 9'000'000);  // a slow ack lands in the window it happened in
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

}  // namespace
}  // namespace chat::loadgen
