// chat-loadgen's core, no broker, no network. A worker's results: rates run to the last ack and delivery.
#include "chat/loadgen/results.hpp"

#include <gtest/gtest.h>

namespace chat::loadgen {
namespace {

TEST(LoadgenResults, RatesRunToTheLastAckAndDelivery) {
  RunTotals a;
  a.t0_us = 1'000'000;
  a.end_us = 3'500'000;
  a.last_ack_us = 2'000'000;
  a.last_delivery_us = 3'000'000;
  a.acked = 1000;
  a.counts = DeliveryCounts{.messages = 1000, .expected = 1000, .delivered = 998, .lost = 2, .duplicates = 1};
  EXPECT_DOUBLE_EQ(a.acked_per_s(), 1000.0);      // 1000 acked over 1 s
  EXPECT_DOUBLE_EQ(a.deliveries_per_s(), 499.0);  // 998 over 2 s
  EXPECT_DOUBLE_EQ(a.wall_s(), 2.5);
  EXPECT_DOUBLE_EQ(RunTotals{}.acked_per_s(), 0.0) << "nothing happened: no rate, no division by zero";
}

}  // namespace
}  // namespace chat::loadgen
