// Publishing where one may not: a spoofed sender, QoS 2, a deleted account's
// inbox. (Each forbidden topic: hostile_publish_topics_test.cpp; topic names
// no client may use: hostile_topic_names_test.cpp.)
#include "hostile_messages.hpp"
#include "hostile_test.hpp"

#include <nlohmann/json.hpp>

namespace chat::hostile {
namespace {

// A spoofed message never reaches its victim: alice, subscribed to her inbox,
// gets the marker mallory sends afterwards and nothing before it.
TEST_F(HostileTest, SpoofedSenderNeverReachesTheVictim) {
  auto alice = connect_as(stack().alice);
  ASSERT_EQ(alice->subscribe("dm/" + stack().alice.uid() + "/#"), 1);
  auto mallory = connect_as(stack().mallory);
  const std::string spoofed = "dm/" + stack().alice.uid() + "/msg/" + stack().sink.uid();
  under_attack([&](int) { ASSERT_EQ(mallory->publish(spoofed, text_message("spoof")), kNotAuthorized); });
  await_marker(*mallory, *alice, "dm/" + stack().alice.uid() + "/msg/" + stack().mallory.uid(), "marker-spoof");
}

// QoS 2 is not spoken (docs/protocol.md section 1): the broker disconnects.
TEST_F(HostileTest, QoS2PublishClosesTheConnection) {
  const std::string topic = "dm/" + stack().alice.uid() + "/msg/" + stack().mallory.uid();
  under_attack([&](int round) {
    auto mallory = connect_as(stack().mallory, "q" + std::to_string(round % 4));
    ASSERT_EQ(mallory->publish(topic, text_message("qos2"), 2), RawMqttClient::kClosed);
  });
  EXPECT_EQ(stack().psql_int("SELECT count(*) FROM messages WHERE client_msg_id = 'qos2'"), 0);
}

// Direct messages to a deleted account (issue #13, item 13): chats, messages
// and push jobs were created for it. The plugin lets the publish in (any uid
// may be written to); the bridge stores nothing and nacks `not_found` with
// detail `unknown_recipient`, naming the message.
TEST_F(HostileTest, DirectMessageToADeletedAccountIsNacked) {
  const StackUser gone = stack().add_user("gone");
  ASSERT_EQ(stack().store().users().delete_account(gone.id, false).status, storage::AccountStatus::ok);
  const StackUser me = fresh_attacker();
  auto attacker = connect_as(me);
  subscribe_events(*attacker, me);
  const std::string topic = "dm/" + gone.uid() + "/msg/" + me.uid();
  int nacked = 0;
  under_attack([&](int round) {
    const std::string id = "to-gone-" + std::to_string(round);
    const int code = attacker->publish(topic, text_message(id));
    if (code == kNotAuthorized && round > 0) return;  // the attacker's own rate limit
    ASSERT_EQ(code, kAccepted) << "round " << round;
    const auto nack = nlohmann::json::parse(nack_of(*attacker, me, id), nullptr, false);
    ASSERT_TRUE(nack.is_object()) << "a nack from the bridge naming " << id;
    EXPECT_EQ(nack["error"], "not_found") << nack.dump();
    EXPECT_EQ(nack["detail"], "unknown_recipient") << nack.dump();
    ++nacked;
  });
  EXPECT_GT(nacked, 0);
  EXPECT_EQ(stack().psql_int("SELECT count(*) FROM messages WHERE sender_id = " + me.uid()), 0);
  EXPECT_EQ(stack().psql_int("SELECT count(*) FROM chat_members WHERE user_id = " + gone.uid()), 0);
  EXPECT_EQ(stack().psql_int("SELECT count(*) FROM notification_outbox WHERE user_id = " + gone.uid()), 0);
}

}  // namespace
}  // namespace chat::hostile
