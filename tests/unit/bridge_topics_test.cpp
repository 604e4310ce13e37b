// What the bridge adds to the contract's topics (chat/bridge/topics.hpp): it
// reads every inbound topic but typing, subscribes to them as one shared
// group, and shards them by chat. How topics parse and are built is the
// contract's, tested once in protocol_topics_test.cpp.
#include "chat/bridge/topics.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>

namespace chat::bridge {
namespace {

TEST(BridgeTopics, ReadsEveryInboundTopicButTyping) {
  auto t = parse_topic("dm/12/msg/7");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, (InboundTopic{TopicKind::dm_msg, 12, 7, ""}));
  EXPECT_TRUE(t->is_message());
  EXPECT_FALSE(t->is_receipt());

  t = parse_topic("g/5/rcpt/7");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, (InboundTopic{TopicKind::group_rcpt, 5, 7, ""}));
  EXPECT_TRUE(t->is_receipt());
  EXPECT_FALSE(t->is_message());

  t = parse_topic("req/42/phone-1_a");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, (InboundTopic{TopicKind::request, 42, 42, "phone-1_a"}));

  // Typing is the contract's too, but the bridge never reads it.
  EXPECT_FALSE(parse_topic("dm/1/typing/2"));
  EXPECT_FALSE(parse_topic("g/1/typing/2"));
  // Whatever the contract refuses, the bridge refuses.
  EXPECT_FALSE(parse_topic("dm/0/msg/2"));
}

TEST(BridgeTopics, SubscribesToTheInboundTopicsAsOneSharedGroup) {
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
