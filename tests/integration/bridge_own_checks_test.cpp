// The bridge's own checks of what it cannot store: on an anonymous broker (no
// auth plugin), messages to unknown users, deleted or missing chats, from
// non-members, of an unknown type, are nacked with the contract's codes.
#include "bridge_test_env.hpp"

#include "chat/protocol/topics.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace chat::bridge::testing {
namespace {

// What the auth plugin refuses before it reaches the bridge (a group the
// sender is not in, payloads outside the contract) can still reach the
// bridge in a race with the plugin's caches, or without the plugin: the
// bridge's own checks, on an anonymous broker.
class BridgeOwnChecks : public BridgeTest {
 protected:
  bool use_auth_plugin() const override { return false; }
};

TEST_F(BridgeOwnChecks, WhatCannotBeStoredIsNacked) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  const auto carol = make_user("carol");
  const std::vector<storage::UserId> members{bob.id};
  const auto team = store().chats().create_group(alice.id, "team", members);
  const auto gone = store().chats().create_group(alice.id, "gone", members);
  psql("UPDATE chats SET deleted_at = now() WHERE id = " + std::to_string(gone.id));
  auto bridge = start_bridge();
  auto connected = clients({alice.id, carol.id});
  auto& a = connected[0];
  auto& c = connected[1];

  a->send(protocol::dm_topic(protocol::Channel::msg, 999999, alice.id), "to-nobody");         // unknown recipient
  a->send(protocol::group_topic(protocol::Channel::msg, gone.id, alice.id), "to-deleted");    // deleted chat
  a->send(protocol::group_topic(protocol::Channel::msg, 888888, alice.id), "to-no-chat");     // no such chat
  c->send(protocol::group_topic(protocol::Channel::msg, team.id, carol.id), "not-a-member");  // e.g. removed meanwhile
  c->publish_raw(protocol::dm_topic(protocol::Channel::msg, bob.id, carol.id), R"({"id":"bad-type","type":"sticker"})");
  ASSERT_TRUE(a->wait_all_answered(10s));
  ASSERT_TRUE(c->wait_all_answered(10s));
  ASSERT_TRUE(c->wait_answer("bad-type", 10s));

  const auto error_of = [](const std::optional<std::string>& nack) {
    if (!nack) return std::string("(none)");
    const auto event = nlohmann::json::parse(*nack);
    return event["error"].get<std::string>() + "/" + event["detail"].get<std::string>();
  };
  EXPECT_EQ(error_of(a->nack_of("to-nobody")), "not_found/unknown_recipient");
  EXPECT_EQ(error_of(a->nack_of("to-deleted")), "not_found/chat_deleted");
  EXPECT_EQ(error_of(a->nack_of("to-no-chat")), "not_found/chat_not_found");
  EXPECT_EQ(error_of(c->nack_of("not-a-member")), "forbidden/not_member");
  EXPECT_EQ(error_of(c->nack_of("bad-type")), "bad_request/unknown type");
  const auto nack = nlohmann::json::parse(*a->nack_of("to-nobody"));
  EXPECT_EQ(nack["ev"], "nack");
  EXPECT_EQ(nack["topic"], protocol::dm_topic(protocol::Channel::msg, 999999, alice.id));
  EXPECT_TRUE(a->acks_of("to-nobody").empty());
  EXPECT_EQ(check_messages_consistent(), 0);

  // The rest of a batch is stored regardless.
  a->send(protocol::group_topic(protocol::Channel::msg, team.id, alice.id), "fine");
  ASSERT_TRUE(a->wait_all_answered(10s));
  EXPECT_EQ(a->acks_of("fine").size(), 1u);
}

}  // namespace
}  // namespace chat::bridge::testing
