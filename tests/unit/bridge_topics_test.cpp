#include "chat/bridge/topics.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>

namespace chat::bridge {
namespace {

TEST(BridgeTopics, ParsesTheInboundTopics) {
  auto t = parse_topic("dm/12/msg/7");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TopicKind::dm_msg);
  EXPECT_EQ(t->target, 12);
  EXPECT_EQ(t->from, 7);
  EXPECT_TRUE(t->is_message());

  t = parse_topic("g/5/msg/7");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TopicKind::group_msg);
  EXPECT_EQ(t->target, 5);

  t = parse_topic("dm/12/rcpt/7");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TopicKind::dm_rcpt);
  EXPECT_TRUE(t->is_receipt());
  EXPECT_EQ(parse_topic("g/5/rcpt/7")->kind, TopicKind::group_rcpt);

  t = parse_topic("st/42/phone-1_a");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TopicKind::device_state);
  EXPECT_EQ(t->target, 42);
  EXPECT_EQ(t->device, "phone-1_a");

  t = parse_topic("req/42/phone-1_a");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TopicKind::request);
  EXPECT_EQ(t->target, 42);
  EXPECT_EQ(t->from, 42);
  EXPECT_EQ(t->device, "phone-1_a");
}

TEST(BridgeTopics, RefusesEverythingElse) {
  for (const char* topic : {"",
                            "dm",
                            "dm/1/msg",
                            "dm/1/msg/2/3",
                            "dm/1/typing/2",
                            "g/1/typing/2",
                            "x/1/msg/2",
                            "dm/0/msg/2",
                            "dm/01/msg/2",
                            "dm/-1/msg/2",
                            "dm/+/msg/2",
                            "dm/1/msg/",
                            "dm//msg/2",
                            "dm/1/msg/a",
                            "dm/99999999999999999999/msg/1",
                            "dm/9223372036854775808/msg/1",
                            "st/1",
                            "st/1/",
                            "st/1/a/b",
                            "st/1/bad.device",
                            "st/1/0123456789012345678901234567890123",
                            "u/1/ev",
                            "presence/1",
                            "req/1",
                            "req/0/phone",
                            "req/1/bad.device",
                            "req/1/phone/x",
                            "req/+/phone",
                            "rsp/1/phone",
                            "$share/bridge/dm/1/msg/2"}) {
    EXPECT_FALSE(parse_topic(topic)) << topic;
  }
  EXPECT_TRUE(parse_topic("dm/9223372036854775807/msg/1"));
}

TEST(BridgeTopics, FormatsOutboundTopicsAndFilters) {
  EXPECT_EQ(event_topic(12), "u/12/ev");
  EXPECT_EQ(presence_topic(12), "presence/12");
  EXPECT_EQ(response_topic(12, "phone"), "u/12/rsp/phone");
  const auto filters = subscription_filters("bridge");
  const std::vector<std::string> expected{"$share/bridge/dm/+/msg/+",  "$share/bridge/g/+/msg/+",
                                          "$share/bridge/dm/+/rcpt/+", "$share/bridge/g/+/rcpt/+",
                                          "$share/bridge/st/+/+",      "$share/bridge/req/+/+"};
  EXPECT_EQ(filters, expected);
}

TEST(BridgeTopics, OneChatOneShardKey) {
  // Both directions of a direct chat, and its receipts, land on one writer.
  const auto key = shard_key(*parse_topic("dm/12/msg/7"));
  EXPECT_EQ(shard_key(*parse_topic("dm/7/msg/12")), key);
  EXPECT_EQ(shard_key(*parse_topic("dm/7/rcpt/12")), key);
  EXPECT_EQ(shard_key(*parse_topic("g/5/msg/7")), shard_key(*parse_topic("g/5/rcpt/9")));
  // And chats spread.
  std::set<std::uint64_t> shards;
  for (int chat = 1; chat <= 64; ++chat) {
    shards.insert(shard_key(*parse_topic("g/" + std::to_string(chat) + "/msg/1")) % 4);
  }
  EXPECT_EQ(shards.size(), 4u);
}

}  // namespace
}  // namespace chat::bridge
