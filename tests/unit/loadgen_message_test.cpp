// chat-loadgen's core, no broker, no network. Topics, ids and payloads as the contract has them, and the ack events of
// both shapes.
#include "chat/loadgen/message.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <regex>
#include <string>

namespace chat::loadgen {
namespace {

TEST(LoadgenMessage, TopicsFollowTheContract) {
  EXPECT_EQ(dm_msg_topic(12, 7), "dm/12/msg/7");
  EXPECT_EQ(group_msg_topic(3, 7), "g/3/msg/7");
  EXPECT_EQ(user_event_topic(7), "u/7/ev");
  EXPECT_EQ(parse_msg_topic("dm/12/msg/7"), (MsgTopic{ChatKind::direct, 12, 7}));
  EXPECT_EQ(parse_msg_topic("g/3/msg/9223372036854775807"), (MsgTopic{ChatKind::group, 3, 9223372036854775807ULL}));
  for (const char* bad : {"dm/12/rcpt/7", "dm/12/typing/7", "dm/0/msg/7", "dm/12/msg/0", "dm/012/msg/7", "dm/12/msg/",
                          "dm/12/msg", "dm//msg/7", "dm/12/msg/7/", "dm/12/msg/7/8", "x/12/msg/7", "g/a/msg/7",
                          "g/3/msg/+", "dm/12/msg/9223372036854775808", "dm/12/msg/18446744073709551616", "", "dm"}) {
    EXPECT_FALSE(parse_msg_topic(bad).has_value()) << bad;
  }
}

TEST(LoadgenMessage, IdsRoundTripAndMatchTheContract) {
  const std::regex contract("^[A-Za-z0-9_-]{1,64}$");
  const auto run = make_run_tag(std::numeric_limits<std::uint64_t>::max());
  EXPECT_LE(run.size(), 13U);
  const auto id = format_message_id(run, 4294967295U, std::numeric_limits<std::uint64_t>::max());
  EXPECT_TRUE(std::regex_match(id, contract)) << id;
  const auto parsed = parse_message_id(id);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->run, run);
  EXPECT_EQ(parsed->device, 4294967295U);
  EXPECT_EQ(parsed->n, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(parse_message_id("ab12-0-0"), (MessageId{"ab12", 0, 0}));
  EXPECT_EQ(make_run_tag(0), "0");
  EXPECT_EQ(make_run_tag(35), "z");
  EXPECT_EQ(make_run_tag(36), "10");
  for (const char* bad : {"", "c-7f3a9", "-1-2", "ab--2", "ab-1-", "ab-01-2", "ab-1-02", "a_b-1-2", "ab-x-2", "ab-1-2x",
                          "ab-4294967296-1", "abcdefghijklmnopq-1-2"}) {
    EXPECT_FALSE(parse_message_id(bad).has_value()) << bad;
  }
}

TEST(LoadgenMessage, PayloadIsAContractTextMessageOfTheRequestedSize) {
  const std::uint64_t send_us = 1763700000123456ULL;
  const auto payload = build_message("r1-0-42", send_us, 300);
  EXPECT_EQ(payload.size(), 300U);
  const auto j = nlohmann::json::parse(payload);
  EXPECT_EQ(j.at("id"), "r1-0-42");
  EXPECT_EQ(j.at("type"), "text");
  EXPECT_TRUE(j.at("text").is_string());
  EXPECT_EQ(j.at("ts").get<std::uint64_t>(), send_us / 1000);  // the contract's ts is milliseconds
  EXPECT_EQ(j.size(), 4U);

  const auto small = build_message("r1-0-42", send_us, 1);  // smaller than the fixed part: minimal
  EXPECT_LT(small.size(), 100U);
  EXPECT_TRUE(nlohmann::json::accept(small));
  const auto parsed = parse_message(small);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->send_us, send_us);
}

TEST(LoadgenMessage, WordsFillTheTextWithVariedWordsAtTheSameSize) {
  const std::uint64_t send_us = 1763700000123456ULL;
  const auto payload = build_message("r1-0-42", send_us, 300, true);
  EXPECT_EQ(payload.size(), 300U);
  const auto j = nlohmann::json::parse(payload);
  const auto text = j.at("text").get<std::string>();
  EXPECT_EQ(text.find("xxx"), std::string::npos) << text;
  EXPECT_NE(text.find(' '), std::string::npos) << text;
  const auto parsed = parse_message(payload);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->send_us, send_us);
  // Another message, other words.
  EXPECT_NE(nlohmann::json::parse(build_message("r1-0-43", send_us + 1, 300, true)).at("text"), text);
}

TEST(LoadgenMessage, ParsesItsOwnAndReserialisedPayloads) {
  const auto payload = build_message("r1-2-9", 1763700000000001ULL, 200);
  auto parsed = parse_message(payload);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->id, "r1-2-9");
  EXPECT_EQ(parsed->send_us, 1763700000000001ULL);

  // The same message as a server might write it back: other key order, spaces, extra fields.
  const auto j = nlohmann::json::parse(payload);
  const std::string reordered =
      R"({ "ts" : 1, "text" : )" + j.at("text").dump() + R"(, "type": "text", "seq": 4, "id" : "r1-2-9" })";
  parsed = parse_message(reordered);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->id, "r1-2-9");
  EXPECT_EQ(parsed->send_us, 1763700000000001ULL);

  // A value that looks like a key does not fool it.
  parsed = parse_message(R"({"text":"\"id\" is here","id":"c-1"})");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->id, "c-1");
  EXPECT_EQ(parsed->send_us, 0U);  // a text with escapes carries no loadgen time
  parsed = parse_message(R"({"type":"text","text":"id","id":"c-1"})");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->id, "c-1");
  EXPECT_EQ(parsed->send_us, 0U);  // no loadgen time in this text

  for (const char* bad : {"", "{}", R"({"id":1})", R"({"id":"a\"b"})", R"({"id":"unterminated)", "not json"}) {
    EXPECT_FALSE(parse_message(bad).has_value()) << bad;
  }
}

TEST(LoadgenMessage, AckEventsOfBothShapes) {
  // The single ack (being retired) and the list, one event per sender per transaction.
  const auto single = parse_ack_events(R"({"ev":"ack","chat":5,"id":"r1-0-3","seq":118,"ts":1763700000000})");
  ASSERT_EQ(single.size(), 1U);
  EXPECT_EQ(single[0].chat, 5U);
  EXPECT_EQ(single[0].id, "r1-0-3");
  EXPECT_EQ(single[0].seq, 118U);
  const auto list = parse_ack_events(
      R"({"ev":"acks","acks":[{"chat":5,"id":"r1-0-3","seq":118,"ts":1},{"chat":9,"id":"r1-0-4","seq":7,"ts":2},)"
      R"({"chat":-1,"id":"bad","seq":1}]})");
  ASSERT_EQ(list.size(), 2U) << "the malformed entry is skipped, the others kept";
  EXPECT_EQ(list[1].chat, 9U);
  EXPECT_EQ(list[1].id, "r1-0-4");
  EXPECT_EQ(list[1].seq, 7U);
  for (const char* other :
       {R"({"ev":"nack","id":"x","topic":"t","error":"forbidden"})", R"({"ev":"ack","id":"x"})",
        R"({"ev":"ack","chat":-1,"id":"x","seq":1})", R"({"ev":"acks","acks":{}})", R"([1,2])", "{", ""}) {
    EXPECT_TRUE(parse_ack_events(other).empty()) << other;
  }
  EXPECT_EQ(parse_nack_id(R"({"ev":"nack","id":"r1-0-5","topic":"t","error":"forbidden"})"), "r1-0-5");
  EXPECT_FALSE(parse_nack_id(R"({"ev":"ack","chat":5,"id":"r1-0-3","seq":1})").has_value());
}

}  // namespace
}  // namespace chat::loadgen
