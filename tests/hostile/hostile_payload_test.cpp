// Payloads built to hurt the parsers: too large for the plugin (up to the
// broker's max_packet_size, and past it), nested deep, invalid UTF-8 (raw,
// overlong, escaped lone surrogates), keys given twice, SQL in the id, a
// thousand-and-one receipt refs. Each is refused at the broker with PUBACK
// 135 and a `bad_request` or `too_large` nack (a packet past max_packet_size
// with a disconnect); SQL in a message's text is just text, stored verbatim;
// a valid message of thousands of distinct keys costs the broker little
// (issue #13, item 1).
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

// Past max_packet_size (256 KiB, broker-config/mosquitto.conf) mosquitto
// does not read the packet: it disconnects the sender (MQTT 5 with DISCONNECT
// 0x95) and nothing is delivered. Each round on a new connection, in MQTT 5
// and 3.1.1 by turns (issue #13, item 3).
TEST_F(HostileTest, PacketAboveMaxPacketSizeDisconnectsItsSender) {
  const StackUser me = fresh_attacker();
  const std::string payload = text_with(std::string(262144, 'a'), "huge");
  under_attack([&](int round) {
    auto attacker = connect_as(me, "phone", round % 2 == 0 ? 5 : 4);
    ASSERT_EQ(attacker->publish("dm/" + stack().sink.uid() + "/msg/" + me.uid(), payload), RawMqttClient::kClosed)
        << "round " << round;
    ASSERT_TRUE(attacker->wait_closed(5s));
  });
  EXPECT_EQ(stack().psql_int("SELECT count(*) FROM messages WHERE sender_id = " + me.uid()), 0);
}

// A valid message of just under 64 KiB made of ~8 100 distinct three-letter
// keys, as fast as one device can send it. The plugin's duplicate-key check
// compared each key with every earlier one (~200 ms a message on the broker's
// only thread; 20 of them pushed a bystander's PUBACK to 216-329 ms); it now
// hashes them (issue #13, item 1). What the rate limit lets in is acked and
// stored; the rest is refused before it is parsed.
std::string many_keys_message(const std::string& id) {
  std::string payload = R"({"id":")" + id + R"(","type":"text","text":"x")";
  for (int i = 0; payload.size() < 65536 - 12; ++i) {
    std::string key(3, 'a');
    for (int n = i, k = 2; k >= 0; --k, n /= 26) key[static_cast<std::size_t>(k)] = static_cast<char>('a' + n % 26);
    payload += ",\"" + key + "\":0";
  }
  return payload + "}";
}

TEST_F(HostileTest, ThousandsOfDistinctKeysInAValidMessage) {
  const StackUser me = fresh_attacker();
  auto attacker = connect_as(me);
  subscribe_events(*attacker, me);
  const std::string topic = "dm/" + stack().sink.uid() + "/msg/" + me.uid();
  int accepted = 0;
  int refused = 0;
  under_attack([&](int round) {
    const std::string id = "keys-" + std::to_string(round);
    const std::string payload = many_keys_message(id);
    ASSERT_LE(payload.size(), 65536u);
    const int code = attacker->publish(topic, payload);
    ASSERT_TRUE(code == kAccepted || (code == kNotAuthorized && round > 0)) << "round " << round << ": " << code;
    (code == kAccepted ? accepted : refused)++;
    if (round == 0) {
      ASSERT_TRUE(await_ack(*attacker, me, id)) << "the message was acked";
    }
  });
  std::cout << "[ attack    ] " << accepted << " accepted, " << refused << " refused as rate_limited\n";
  // The whole burst of the publish limit (100) is parsed before any refusal;
  // how many rounds the attack window holds depends on the build (the ASan
  // build parses several times slower).
  EXPECT_GT(accepted, 0);
  EXPECT_TRUE(refused == 0 || accepted >= 100)
      << accepted << " accepted before the first refusal: the burst of the publish limit was not parsed";
  const std::string stored = "SELECT count(*) FROM messages WHERE sender_id = " + me.uid();
  testing::wait_until([&] { return stack().psql_int(stored) >= accepted; }, 30s, 50ms);
  EXPECT_EQ(stack().psql_int(stored), accepted) << "every accepted message stored, once";
}

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
        ASSERT_TRUE(await_ack(*attacker, me, "sql-text")) << "the message was acked";
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
