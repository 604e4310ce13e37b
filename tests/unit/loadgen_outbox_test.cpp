// chat-loadgen's core, no broker, no network. The outbox: the window of unacked messages and what a reconnect resends.
#include "chat/loadgen/outbox.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace chat::loadgen {
namespace {

TEST(LoadgenOutbox, WindowBoundsUnackedMessages) {
  Outbox box(3);
  EXPECT_TRUE(box.has_room());
  EXPECT_TRUE(box.add(0, "t", "p0", 100));
  EXPECT_TRUE(box.add(1, "t", "p1", 101));
  EXPECT_FALSE(box.add(1, "t", "again", 102));  // the same number twice
  EXPECT_TRUE(box.add(2, "t", "p2", 103));
  EXPECT_FALSE(box.has_room());
  EXPECT_FALSE(box.add(3, "t", "p3", 104));
  EXPECT_EQ(box.size(), 3U);
  EXPECT_EQ(box.ack(1)->intended_us, 101U);  // out of order is fine
  EXPECT_TRUE(box.has_room());
  EXPECT_TRUE(box.add(3, "t", "p3", 104));
}

TEST(LoadgenOutbox, AckReturnsFirstSendTimeOnceAndCountsStrays) {
  Outbox box(10);
  box.add(7, "t", "p", 555);
  EXPECT_EQ(box.ack(7)->intended_us, 555U);
  EXPECT_FALSE(box.ack(7).has_value());  // a second ack for the same message
  EXPECT_FALSE(box.ack(8).has_value());  // an ack for a message never sent
  EXPECT_EQ(box.unknown_acks(), 2U);
  EXPECT_TRUE(box.empty());
}

TEST(LoadgenOutbox, AckReturnsTheIntendedAndThePublishTimeAndAResendKeepsBoth) {
  Outbox box(2);
  box.add(0, "t", "held", 1'000, 4'000);  // due at 1 ms, published at 4 ms: waited for room
  box.add(1, "t", "on time", 5'000);      // published when due
  box.connection_lost();
  ASSERT_EQ(box.take_unsent().size(), 2U);  // resent at some later time: the times stay
  const auto held = box.ack(0);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->intended_us, 1'000U);
  EXPECT_EQ(held->published_us, 4'000U);
  EXPECT_EQ(held->outbox_wait_us(), 3'000U);
  const auto on_time = box.ack(1);
  ASSERT_TRUE(on_time.has_value());
  EXPECT_EQ(on_time->published_us, 5'000U);
  EXPECT_EQ(on_time->outbox_wait_us(), 0U);
}

TEST(LoadgenOutbox, ReconnectResendsEveryUnackedMessageWithItsIdInOrder) {
  Outbox box(10);
  for (std::uint64_t n = 0; n < 5; ++n) box.add(n, "dm/2/msg/1", "payload-" + std::to_string(n), 1000 + n);
  box.ack(1);
  box.ack(3);
  EXPECT_TRUE(box.take_unsent().empty());  // everything is in flight
  box.connection_lost();
  EXPECT_EQ(box.unsent(), 3U);
  const auto again = box.take_unsent();
  ASSERT_EQ(again.size(), 3U);
  EXPECT_EQ(again[0].n, 0U);
  EXPECT_EQ(again[1].n, 2U);
  EXPECT_EQ(again[2].n, 4U);
  EXPECT_EQ(again[1].payload, "payload-2");  // byte for byte: same id, same ts
  EXPECT_EQ(again[1].topic, "dm/2/msg/1");
  EXPECT_EQ(again[1].times.intended_us, 1002U);  // latency counts from the first attempt
  EXPECT_EQ(again[1].attempts, 2U);
  EXPECT_TRUE(again[1].in_flight);
  EXPECT_EQ(box.resends(), 3U);
  EXPECT_EQ(box.unsent(), 0U);
  EXPECT_TRUE(box.take_unsent().empty());
  EXPECT_EQ(box.size(), 3U);  // still unacked: they stay until their ack
  EXPECT_EQ(box.ack(2)->intended_us, 1002U);
}

TEST(LoadgenOutbox, FailedPublishIsRetriedAndAckOfAnUnsentEntryKeepsCountsRight) {
  Outbox box(4);
  box.add(0, "t", "a", 1);
  box.add(1, "t", "b", 2);
  box.mark_unsent(1);
  box.mark_unsent(1);  // twice: still one
  box.mark_unsent(9);  // unknown: ignored
  EXPECT_EQ(box.unsent(), 1U);
  EXPECT_EQ(box.ack(1)->intended_us, 2U);  // a late ack of the first attempt
  EXPECT_EQ(box.unsent(), 0U);
  EXPECT_TRUE(box.take_unsent().empty());
  box.connection_lost();
  box.connection_lost();
  EXPECT_EQ(box.unsent(), 1U);
  EXPECT_EQ(box.take_unsent().size(), 1U);
}

}  // namespace
}  // namespace chat::loadgen
