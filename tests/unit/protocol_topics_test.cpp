// The contract's topics (docs/protocol.md, section 2): what users publish to,
// read back; every topic the platform builds.
#include "chat/protocol/topics.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chat::protocol {
namespace {

TEST(ProtocolTopics, ReadsEveryTopicUsersPublishTo) {
  struct Case {
    const char* topic;
    TopicKind kind;
    Id target;
    Id from;
    const char* device;
  };
  for (const Case& c :
       {Case{"dm/12/msg/7", TopicKind::dm_msg, 12, 7, ""}, Case{"dm/12/rcpt/7", TopicKind::dm_rcpt, 12, 7, ""},
        Case{"dm/12/typing/7", TopicKind::dm_typing, 12, 7, ""}, Case{"g/5/msg/7", TopicKind::group_msg, 5, 7, ""},
        Case{"g/5/rcpt/7", TopicKind::group_rcpt, 5, 7, ""}, Case{"g/5/typing/7", TopicKind::group_typing, 5, 7, ""},
        Case{"st/42/phone-1_a", TopicKind::device_state, 42, 42, "phone-1_a"},
        Case{"req/42/laptop", TopicKind::request, 42, 42, "laptop"},
        Case{"dm/9223372036854775807/msg/1", TopicKind::dm_msg, INT64_MAX, 1, ""}}) {
    const auto t = parse_topic(c.topic);
    ASSERT_TRUE(t.has_value()) << c.topic;
    EXPECT_EQ(t->kind, c.kind) << c.topic;
    EXPECT_EQ(t->target, c.target) << c.topic;
    EXPECT_EQ(t->from, c.from) << c.topic;
    EXPECT_EQ(t->device, c.device) << c.topic;
  }
  EXPECT_TRUE(parse_topic("dm/1/msg/2")->is_direct());
  EXPECT_TRUE(parse_topic("g/1/typing/2")->is_group());
  EXPECT_EQ(parse_topic("g/1/rcpt/2")->channel(), Channel::rcpt);
  EXPECT_EQ(parse_topic("st/1/a")->channel(), std::nullopt);
}

TEST(ProtocolTopics, RefusesEverythingElse) {
  for (const char* topic : {"",
                            "dm",
                            "dm/1/msg",
                            "dm/1/msg/2/3",
                            "x/1/msg/2",
                            "dm/0/msg/2",
                            "dm/01/msg/2",
                            "dm/-1/msg/2",
                            "dm/+/msg/2",
                            "dm/1/+/2",
                            "dm/1/msg/#",
                            "dm/1/msg/",
                            "dm//msg/2",
                            "dm/1/msg/a",
                            "dm/1/MSG/2",
                            "dm/99999999999999999999/msg/1",
                            "dm/9223372036854775808/msg/1",
                            "st/1",
                            "st/1/",
                            "st/1/a/b",
                            "st/1/bad.device",
                            "st/1/0123456789012345678901234567890123",
                            "u/1/ev",
                            "u/1/rsp/phone",
                            "presence/1",
                            "req/1",
                            "req/0/phone",
                            "req/1/bad.device",
                            "req/1/phone/x",
                            "req/+/phone",
                            "rsp/1/phone",
                            "$share/bridge/dm/1/msg/2",
                            "/dm/1/msg/2"}) {
    EXPECT_FALSE(parse_topic(topic).has_value()) << topic;
  }
}

TEST(ProtocolTopics, BuildsTheContractsTopics) {
  EXPECT_EQ(dm_topic(Channel::msg, 12, 7), "dm/12/msg/7");
  EXPECT_EQ(dm_topic(Channel::rcpt, 12, 7), "dm/12/rcpt/7");
  EXPECT_EQ(group_topic(Channel::typing, 3, 7), "g/3/typing/7");
  EXPECT_EQ(event_topic(7), "u/7/ev");
  EXPECT_EQ(event_topic(std::string_view("42")), "u/42/ev");
  EXPECT_EQ(response_topic(12, "phone"), "u/12/rsp/phone");
  EXPECT_EQ(request_topic(12, "phone"), "req/12/phone");
  EXPECT_EQ(state_topic(12, "phone"), "st/12/phone");
  EXPECT_EQ(presence_topic(12), "presence/12");
  EXPECT_EQ(direct_inbox_filter(12), "dm/12/#");
  EXPECT_EQ(group_filter(3), "g/3/#");
  // What is built reads back as itself.
  const auto t = parse_topic(group_topic(Channel::msg, 3, 7));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->kind, TopicKind::group_msg);
}

TEST(ProtocolTopics, ChannelNamesRoundTrip) {
  for (const Channel c : {Channel::msg, Channel::rcpt, Channel::typing}) {
    EXPECT_EQ(parse_channel(channel_name(c)), c);
  }
  EXPECT_EQ(parse_channel("ev"), std::nullopt);
}

}  // namespace
}  // namespace chat::protocol
