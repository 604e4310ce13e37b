// Publishing where one may not: as another user, to the bridge's and the
// plugin's topics, to groups one is not in, retained, to $SYS and $share, and
// topic names no client may use at all. Refusals are PUBACK 135 with a
// `forbidden` nack; protocol violations close the connection.
#include "hostile_test.hpp"

#include <nlohmann/json.hpp>

namespace chat::hostile {
namespace {

std::string text(const std::string& id) {
  return nlohmann::json{{"id", id}, {"type", "text"}, {"text", "pay me"}}.dump();
}

struct ForbiddenPublish {
  const char* name;
  std::function<std::string(const HostileStack&, const StackUser& me)> topic;
  bool retain = false;
  // What the refusal tells besides the PUBACK: a nack naming the message's id
  // (a well-formed .../msg/... topic), a nack with a null id (the plugin could
  // not tell it was a message), or nothing (mosquitto refuses $SYS writes
  // before the plugin is asked).
  enum class Nack { with_id, without_id, none } nack = Nack::without_id;
};

class HostilePublish : public HostileTest, public ::testing::WithParamInterface<ForbiddenPublish> {};

TEST_P(HostilePublish, IsRefusedWithAForbiddenNack) {
  const StackUser me = fresh_attacker();
  const std::string topic = GetParam().topic(stack(), me);
  auto attacker = connect_as(me);
  under_attack([&](int round) {
    const std::string id = "evil-" + std::to_string(round);
    ASSERT_EQ(attacker->publish(topic, text(id), 1, GetParam().retain), kNotAuthorized) << topic;
    if (round == 0 && GetParam().nack != ForbiddenPublish::Nack::none) {
      const auto nack = nlohmann::json::parse(next_event(*attacker, me, "nack"), nullptr, false);
      ASSERT_TRUE(nack.is_object()) << "a nack event for " << topic;
      EXPECT_EQ(nack["error"], "forbidden");
      EXPECT_EQ(nack["id"], GetParam().nack == ForbiddenPublish::Nack::with_id ? nlohmann::json(id) : nlohmann::json())
          << nack.dump();
    }
  });
  EXPECT_EQ(stack().psql_int("SELECT count(*) FROM messages WHERE client_msg_id LIKE 'evil-%'"), 0)
      << "nothing of it was stored";
}

std::string uid(const StackUser& user) { return user.uid(); }

INSTANTIATE_TEST_SUITE_P(
    Topics, HostilePublish,
    ::testing::Values(
        ForbiddenPublish{
            "AsAnotherUser",
            [](const HostileStack& s, const StackUser&) { return "dm/" + uid(s.sink) + "/msg/" + uid(s.alice); }, false,
            ForbiddenPublish::Nack::with_id},
        ForbiddenPublish{"FakeAckToAnotherUser",
                         [](const HostileStack& s, const StackUser&) { return "u/" + uid(s.alice) + "/ev"; }},
        ForbiddenPublish{"FakeAnswerToAnotherUser",
                         [](const HostileStack& s, const StackUser&) { return "u/" + uid(s.alice) + "/rsp/phone"; }},
        ForbiddenPublish{"FakePresence",
                         [](const HostileStack& s, const StackUser&) { return "presence/" + uid(s.alice); }},
        ForbiddenPublish{"RequestAsAnotherUser",
                         [](const HostileStack& s, const StackUser&) { return "req/" + uid(s.alice) + "/phone"; }},
        ForbiddenPublish{"DeviceStateOfAnotherUser",
                         [](const HostileStack& s, const StackUser&) { return "st/" + uid(s.alice) + "/phone"; }},
        ForbiddenPublish{"GroupSheIsNotIn",
                         [](const HostileStack& s, const StackUser& me) {
                           return "g/" + std::to_string(s.closed_group) + "/msg/" + uid(me);
                         },
                         false, ForbiddenPublish::Nack::with_id},
        ForbiddenPublish{
            "RetainedInAChat",
            [](const HostileStack& s, const StackUser& me) { return "dm/" + uid(s.alice) + "/msg/" + uid(me); }, true,
            ForbiddenPublish::Nack::with_id},
        ForbiddenPublish{"PluginStats",
                         [](const HostileStack&, const StackUser&) { return "$SYS/broker/chat-auth/stats"; }, false,
                         ForbiddenPublish::Nack::none},
        ForbiddenPublish{"SqlInTheTopic",
                         [](const HostileStack&, const StackUser& me) { return "dm/1 OR 1=1/msg/" + uid(me); }}),
    [](const ::testing::TestParamInfo<ForbiddenPublish>& param) { return std::string(param.param.name); });

// A spoofed message never reaches its victim: alice, subscribed to her inbox,
// gets the marker mallory sends afterwards and nothing before it.
TEST_F(HostileTest, SpoofedSenderNeverReachesTheVictim) {
  auto alice = connect_as(stack().alice);
  ASSERT_EQ(alice->subscribe("dm/" + stack().alice.uid() + "/#"), 1);
  auto mallory = connect_as(stack().mallory);
  const std::string spoofed = "dm/" + stack().alice.uid() + "/msg/" + stack().sink.uid();
  under_attack([&](int) { ASSERT_EQ(mallory->publish(spoofed, text("spoof")), kNotAuthorized); });
  await_marker(*mallory, *alice, "dm/" + stack().alice.uid() + "/msg/" + stack().mallory.uid(), "marker-spoof");
}

// Topic names a client may never publish to: the broker closes the connection.
struct InvalidTopicName {
  const char* name;
  std::function<std::string(const HostileStack&, const StackUser& me)> topic;
};

class HostileTopicName : public HostileTest, public ::testing::WithParamInterface<InvalidTopicName> {};

TEST_P(HostileTopicName, ClosesTheConnection) {
  const std::string topic = GetParam().topic(stack(), stack().mallory);
  under_attack([&](int round) {
    auto mallory = connect_as(stack().mallory, "t" + std::to_string(round % 4));
    ASSERT_EQ(mallory->publish(topic, text("bad-topic")), RawMqttClient::kClosed) << topic;
  });
}

INSTANTIATE_TEST_SUITE_P(
    Names, HostileTopicName,
    ::testing::Values(InvalidTopicName{"WildcardInTopicName",
                                       [](const HostileStack&, const StackUser& me) { return "dm/+/msg/" + uid(me); }},
                      InvalidTopicName{"HashInTopicName", [](const HostileStack& s,
                                                             const StackUser&) { return "dm/" + uid(s.alice) + "/#"; }},
                      InvalidTopicName{"InvalidUtf8InTopicName",
                                       [](const HostileStack& s, const StackUser&) {
                                         return "dm/" + uid(s.alice) + "/msg/\xc3\x28";
                                       }},
                      InvalidTopicName{"NulInTopicName",
                                       [](const HostileStack& s, const StackUser& me) {
                                         return "dm/" + uid(s.alice) + std::string("\0/msg/", 6) + uid(me);
                                       }}),
    [](const ::testing::TestParamInfo<InvalidTopicName>& param) { return std::string(param.param.name); });

// QoS 2 is not spoken (docs/protocol.md section 1): the broker disconnects.
TEST_F(HostileTest, QoS2PublishClosesTheConnection) {
  const std::string topic = "dm/" + stack().alice.uid() + "/msg/" + stack().mallory.uid();
  under_attack([&](int round) {
    auto mallory = connect_as(stack().mallory, "q" + std::to_string(round % 4));
    ASSERT_EQ(mallory->publish(topic, text("qos2"), 2), RawMqttClient::kClosed);
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
    const int code = attacker->publish(topic, text(id));
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
