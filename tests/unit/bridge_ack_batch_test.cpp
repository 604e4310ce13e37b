// The acks of one transaction: one `acks` event per sender, in order, each
// under the size limit (docs/protocol.md, "Server events").
#include "chat/bridge/ack_batch.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace chat::bridge {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

TEST(BridgeAckBatch, OneEventPerSenderInOrder) {
  AckBatch batch(64 * 1024);
  const auto t0 = Clock::now();
  batch.add(7, {5, "a-1", 10, 1000}, t0);
  batch.add(9, {6, "b-1", 3, 1001}, t0);
  batch.add(7, {5, "a-2", 11, 1002}, t0);
  EXPECT_EQ(batch.size(), 3u);
  const auto events = batch.take();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(events[0].sender, 7);
  EXPECT_EQ(
      events[0].payload,
      R"({"ev":"acks","acks":[{"chat":5,"id":"a-1","seq":10,"ts":1000},{"chat":5,"id":"a-2","seq":11,"ts":1002}]})");
  EXPECT_EQ(events[0].received.size(), 2u);
  EXPECT_EQ(events[1].sender, 9);
  EXPECT_EQ(json::parse(events[1].payload),
            json::parse(R"({"ev":"acks","acks":[{"chat":6,"id":"b-1","seq":3,"ts":1001}]})"));
}

TEST(BridgeAckBatch, SplitsAtTheSizeLimit) {
  const std::size_t limit = 1000;
  AckBatch batch(limit);
  const std::size_t count = 200;
  for (std::size_t i = 0; i < count; ++i) {
    batch.add(7, {5, std::string(60, 'x') + std::to_string(i), static_cast<std::int64_t>(i + 1), 1000}, Clock::now());
  }
  const auto events = batch.take();
  ASSERT_GT(events.size(), 1u);
  std::size_t acks = 0;
  std::int64_t next_seq = 1;
  for (const auto& event : events) {
    EXPECT_LE(event.payload.size(), limit);
    const auto parsed = json::parse(event.payload);
    EXPECT_EQ(parsed["ev"], "acks");
    EXPECT_EQ(parsed["acks"].size(), event.received.size());
    for (const auto& ack : parsed["acks"]) EXPECT_EQ(ack["seq"], next_seq++) << "in order, none missing";
    acks += parsed["acks"].size();
  }
  EXPECT_EQ(acks, count);
}

TEST(BridgeAckBatch, EscapesWhatIsNotAPlainClientId) {
  // Stored ids are [A-Za-z0-9_-]; anything else still makes valid JSON.
  AckBatch batch(64 * 1024);
  batch.add(1, {2, "q\"uote\\", 3, 4}, Clock::now());
  const auto events = batch.take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(json::parse(events[0].payload)["acks"][0]["id"], "q\"uote\\");
}

}  // namespace
}  // namespace chat::bridge
