// Publishing where one may not: as another user, to the bridge's and the
// plugin's topics, to groups one is not in, retained, to $SYS and $share.
// Refusals are PUBACK 135 with a `forbidden` nack, and nothing is stored.
#include "hostile_messages.hpp"
#include "hostile_test.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace chat::hostile {
namespace {

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
    ASSERT_EQ(attacker->publish(topic, text_message(id), 1, GetParam().retain), kNotAuthorized) << topic;
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

}  // namespace
}  // namespace chat::hostile
