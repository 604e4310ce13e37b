// Payloads built to hurt the parsers: too large for the plugin, nested deep,
// invalid UTF-8 (raw, overlong, escaped lone surrogates), keys given twice,
// SQL in the id, a thousand-and-one receipt refs. Each is refused at the
// broker with PUBACK 135 and a `bad_request` or `too_large` nack; SQL in a
// message's text is just text, stored verbatim.
#include "hostile_test.hpp"

#include <nlohmann/json.hpp>

namespace chat::hostile {
namespace {

struct BadPayload {
  const char* name;
  const char* channel;  // "msg" or "rcpt"
  std::function<std::string()> payload;
  const char* error;    // the nack's error
};

std::string nested(int depth) {
  return R"({"id":"deep","type":"text","text":"x","n":)" + std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']') + "}";
}

std::string text_with(const std::string& raw_text, const std::string& id = "c1") {
  return R"({"id":")" + id + R"(","type":"text","text":")" + raw_text + R"("})";
}

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
    }
  });
  EXPECT_EQ(stack().psql_int("SELECT count(*) FROM messages WHERE sender_id = " + me.uid()), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Payloads, HostilePayload,
    ::testing::Values(
        // Above the plugin's 64 KiB, below the broker's 128 KiB message_size_limit.
        BadPayload{"TooLargeForThePlugin", "msg", [] { return text_with(std::string(70000, 'a')); }, "too_large"},
        BadPayload{"NestedThirtyThousandDeep", "msg", [] { return nested(30000); }, "bad_request"},
        BadPayload{"NestedJustPastTheLimit", "msg", [] { return nested(16); }, "bad_request"},
        BadPayload{"InvalidUtf8", "msg", [] { return text_with("\xc3\x28"); }, "bad_request"},
        BadPayload{"OverlongUtf8Slash", "msg", [] { return text_with("\xc0\xaf"); }, "bad_request"},
        BadPayload{"Utf16Surrogate", "msg", [] { return text_with("\xed\xa0\x80"); }, "bad_request"},
        BadPayload{"EscapedLoneSurrogate", "msg", [] { return text_with("\\udc00"); }, "bad_request"},
        BadPayload{"KeyGivenTwice", "msg", [] { return R"({"id":"c1","type":"text","text":"a","text":"b"})"; }, "bad_request"},
        BadPayload{"SqlInTheMessageId", "msg", [] { return text_with("hi", "x'; DROP TABLE messages; --"); }, "bad_request"},
        BadPayload{"NotJson", "msg", [] { return std::string("SELECT * FROM users"); }, "bad_request"},
        BadPayload{"ReceiptWithTooManyRefs", "rcpt",
                   [] {
                     nlohmann::json refs = nlohmann::json::array();
                     for (int i = 0; i < 1001; ++i) refs.push_back({{"id", "c" + std::to_string(i)}});
                     return nlohmann::json{{"type", "read"}, {"refs", refs}}.dump();
                   },
                   "bad_request"},
        BadPayload{"ReceiptWithSqlSeq", "rcpt", [] { return std::string(R"({"type":"read","seq":"1; DELETE FROM messages"})"); },
                   "bad_request"}),
    [](const ::testing::TestParamInfo<BadPayload>& param) { return std::string(param.param.name); });

// SQL in a message's text is text: acked, and stored byte for byte.
TEST_F(HostileTest, SqlInTheTextIsStoredVerbatim) {
  const StackUser me = fresh_attacker();
  auto attacker = connect_as(me);
  subscribe_events(*attacker, me);
  const std::string sql = "'); DROP TABLE messages; --";
  under_attack(
      [&](int) {
        ASSERT_EQ(attacker->publish("dm/" + stack().sink.uid() + "/msg/" + me.uid(),
                                    nlohmann::json{{"id", "sql-text"}, {"type", "text"}, {"text", sql}}.dump()),
                  kAccepted);
        const auto acks = nlohmann::json::parse(next_event(*attacker, me, "acks"), nullptr, false);
        ASSERT_TRUE(acks.is_object() && acks["acks"].is_array() && !acks["acks"].empty()) << "the message was acked";
        EXPECT_EQ(acks["acks"][0].value("id", ""), "sql-text");
      },
      Rounds::once);
  EXPECT_EQ(stack().psql("SELECT body->>'text' FROM messages WHERE sender_id = " + me.uid() +
                         " AND client_msg_id = 'sql-text'"),
            sql);
}

// PostgreSQL's jsonb cannot hold NUL: the plugin lets an escaped NUL pass
// (valid JSON), the bridge refuses it with a bad_request nack.
TEST_F(HostileTest, EscapedNulInTheTextIsNackedByTheBridge) {
  const StackUser me = fresh_attacker();
  auto attacker = connect_as(me);
  subscribe_events(*attacker, me);
  under_attack(
      [&](int) {
        ASSERT_EQ(attacker->publish("dm/" + stack().sink.uid() + "/msg/" + me.uid(), text_with("a\\u0000b", "nul")),
                  kAccepted);
        const auto nack = nlohmann::json::parse(next_event(*attacker, me, "nack"), nullptr, false);
        ASSERT_TRUE(nack.is_object()) << "a nack from the bridge";
        EXPECT_EQ(nack["error"], "bad_request");
        EXPECT_EQ(nack["id"], "nul");
      },
      Rounds::once);
  EXPECT_EQ(stack().psql_int("SELECT count(*) FROM messages WHERE sender_id = " + me.uid()), 0);
}

}  // namespace
}  // namespace chat::hostile
