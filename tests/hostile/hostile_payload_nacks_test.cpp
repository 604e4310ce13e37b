// Payloads built to hurt the parsers: too large for the plugin (up to the
// broker's max_packet_size), nested deep, invalid UTF-8 (raw, overlong,
// escaped lone surrogates), keys given twice, SQL in the id, a
// thousand-and-one receipt refs. Each is refused at the broker with PUBACK
// 135 and a `bad_request` or `too_large` nack.
#include "hostile_messages.hpp"
#include "hostile_test.hpp"

#include "chat/testing/environment.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace chat::hostile {
namespace {

struct BadPayload {
  const char* name;
  const char* channel;  // "msg" or "rcpt"
  std::function<std::string()> payload;
  const char* error;         // the nack's error
  const char* id = nullptr;  // the nack's id, where the test asserts it (issue #13, item 3)
};

class HostilePayload : public HostileTest, public ::testing::WithParamInterface<BadPayload> {};

TEST_P(HostilePayload, IsRefusedWithANack) {
  const StackUser me = fresh_attacker();
  const std::string topic = "dm/" + stack().sink.uid() + "/" + GetParam().channel + "/" + me.uid();
  const std::string payload = GetParam().payload();
  auto attacker = connect_as(me);
  under_attack([&](int round) {
    // Later rounds may meet the attacker's own rate limit: still 135.
    ASSERT_EQ(attacker->publish(topic, payload), kNotAuthorized) << "round " << round;
    if (round == 0) {
      const auto nack = nlohmann::json::parse(next_event(*attacker, me, "nack"), nullptr, false);
      ASSERT_TRUE(nack.is_object()) << "a nack event";
      EXPECT_EQ(nack["error"], GetParam().error) << nack.dump();
      if (GetParam().id != nullptr) {
        EXPECT_EQ(nack["id"], GetParam().id) << nack.dump();
      }
    }
  });
  EXPECT_EQ(stack().psql_int("SELECT count(*) FROM messages WHERE sender_id = " + me.uid()), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Payloads, HostilePayload,
    ::testing::Values(
        // Above the plugin's 64 KiB: the nack names the id the plugin read
        // from the payload's first 4 KiB (issue #13, item 3).
        BadPayload{"TooLargeForThePlugin", "msg", [] { return text_with(std::string(70000, 'a')); }, "too_large", "c1"},
        // Above the 128 KiB of the broker's former message_size_limit, which
        // dropped it with no nack: now the plugin sees it, up to max_packet_size.
        BadPayload{"AboveTheFormerBrokerLimit", "msg", [] { return text_with(std::string(140000, 'a')); }, "too_large",
                   "c1"},
        BadPayload{"NestedThirtyThousandDeep", "msg", [] { return nested(30000); }, "bad_request"},
        BadPayload{"NestedJustPastTheLimit", "msg", [] { return nested(16); }, "bad_request"},
        BadPayload{"InvalidUtf8", "msg", [] { return text_with("\xc3\x28"); }, "bad_request"},
        BadPayload{"OverlongUtf8Slash", "msg", [] { return text_with("\xc0\xaf"); }, "bad_request"},
        BadPayload{"Utf16Surrogate", "msg", [] { return text_with("\xed\xa0\x80"); }, "bad_request"},
        BadPayload{"EscapedLoneSurrogate", "msg", [] { return text_with("\\udc00"); }, "bad_request"},
        BadPayload{"KeyGivenTwice", "msg", [] { return R"({"id":"c1","type":"text","text":"a","text":"b"})"; },
                   "bad_request"},
        BadPayload{"SqlInTheMessageId", "msg", [] { return text_with("hi", "x'; DROP TABLE messages; --"); },
                   "bad_request"},
        BadPayload{"NotJson", "msg", [] { return std::string("SELECT * FROM users"); }, "bad_request"},
        BadPayload{"ReceiptWithTooManyRefs", "rcpt",
                   [] {
                     nlohmann::json refs = nlohmann::json::array();
                     for (int i = 0; i < 1001; ++i) refs.push_back({{"id", "c" + std::to_string(i)}});
                     return nlohmann::json{{"type", "read"}, {"refs", refs}}.dump();
                   },
                   "bad_request"},
        BadPayload{"ReceiptWithSqlSeq", "rcpt",
                   [] { return std::string(R"({"type":"read","seq":"1; DELETE FROM messages"})"); }, "bad_request"}),
    [](const ::testing::TestParamInfo<BadPayload>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace chat::hostile
