// Receipts move each member's cursors forward only, by seq or by refs.
#include "bridge_test_env.hpp"

#include <nlohmann/json.hpp>

namespace chat::bridge::testing {
namespace {

class BridgeReceipts : public BridgeTest {
 protected:
  std::string cursors(std::int64_t chat, std::int64_t user) {
    return psql("SELECT delivered_seq || '/' || read_seq FROM chat_members WHERE chat_id = " + std::to_string(chat) +
                " AND user_id = " + std::to_string(user));
  }
  bool wait_cursors(std::int64_t chat, std::int64_t user, const std::string& expected) {
    return chat::testing::wait_until([&] { return cursors(chat, user) == expected; }, 10s, 50ms);
  }
};

TEST_F(BridgeReceipts, DirectChatCursorsOnlyMoveForward) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  auto bridge = start_bridge();
  auto connected = clients({alice.id, bob.id});
  auto& a = connected[0];
  auto& b = connected[1];
  const std::string to_bob = "dm/" + std::to_string(bob.id) + "/msg/" + std::to_string(alice.id);
  for (int i = 1; i <= 5; ++i) a->send(to_bob, "c" + std::to_string(i));
  ASSERT_TRUE(a->wait_all_answered(10s));
  const std::int64_t chat = a->acks_of("c1").at(0).chat;
  // Bob's receipts about alice's messages: dm/{alice}/rcpt/{bob}.
  const std::string rcpt = "dm/" + std::to_string(alice.id) + "/rcpt/" + std::to_string(bob.id);

  b->publish_raw(rcpt, R"({"type":"delivered","seq":3})");
  ASSERT_TRUE(wait_cursors(chat, bob.id, "3/0")) << cursors(chat, bob.id);
  b->publish_raw(rcpt, R"({"type":"read","seq":2})");
  ASSERT_TRUE(wait_cursors(chat, bob.id, "3/2")) << cursors(chat, bob.id);
  // Backwards: ignored. Then forward by ref (from left out in a dm).
  b->publish_raw(rcpt, R"({"type":"delivered","seq":1})");
  b->publish_raw(rcpt, R"({"type":"read","seq":1})");
  b->publish_raw(rcpt, R"({"type":"delivered","refs":[{"id":"c4"}]})");
  ASSERT_TRUE(wait_cursors(chat, bob.id, "4/2")) << cursors(chat, bob.id);
  // Read implies delivered; refs count by their newest.
  b->publish_raw(rcpt,
                 R"({"type":"read","refs":[{"from":)" + std::to_string(alice.id) + R"(,"id":"c5"},{"id":"c1"}]})");
  ASSERT_TRUE(wait_cursors(chat, bob.id, "5/5")) << cursors(chat, bob.id);
  a->send(to_bob, "c6");
  ASSERT_TRUE(a->wait_all_answered(10s));
  b->publish_raw(rcpt, R"({"type":"delivered","refs":[{"id":"c6"}]})");
  ASSERT_TRUE(wait_cursors(chat, bob.id, "6/5")) << cursors(chat, bob.id);
  // An unknown ref: nothing. Past the newest message: clamped to last_seq.
  // (Sent after c6 is stored: a receipt and a message that reach the bridge in
  // one batch are applied messages first.)
  b->publish_raw(rcpt, R"({"type":"read","refs":[{"id":"nope"}]})");
  b->publish_raw(rcpt, R"({"type":"read","seq":99})");
  ASSERT_TRUE(wait_cursors(chat, bob.id, "6/6")) << cursors(chat, bob.id);
  EXPECT_EQ(cursors(chat, alice.id), "0/0");
}

TEST_F(BridgeReceipts, GroupReceiptsByRefsNeedTheSenderAndStayInTheChat) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  const auto carol = make_user("carol");
  const std::vector<storage::UserId> members{bob.id, carol.id};
  const auto team = store().chats().create_group(alice.id, "team", members);
  const auto other = store().chats().create_group(alice.id, "other", members);
  auto bridge = start_bridge();
  auto connected = clients({alice.id, carol.id});
  auto& a = connected[0];
  auto& c = connected[1];
  const std::string in_team = "g/" + std::to_string(team.id) + "/msg/" + std::to_string(alice.id);
  const std::string in_other = "g/" + std::to_string(other.id) + "/msg/" + std::to_string(alice.id);
  a->send(in_team, "t1");
  a->send(in_team, "t2");
  a->send(in_other, "o1");
  ASSERT_TRUE(a->wait_all_answered(10s));

  const std::string rcpt = "g/" + std::to_string(team.id) + "/rcpt/" + std::to_string(carol.id);
  const std::string a_id = std::to_string(alice.id);
  // A ref into another chat does not count here.
  c->publish_raw(rcpt, R"({"type":"read","refs":[{"from":)" + a_id + R"(,"id":"o1"}]})");
  c->publish_raw(rcpt, R"({"type":"delivered","refs":[{"from":)" + a_id + R"(,"id":"t1"}]})");
  ASSERT_TRUE(wait_cursors(team.id, carol.id, "1/0")) << cursors(team.id, carol.id);
  c->publish_raw(rcpt, R"({"type":"read","refs":[{"from":)" + a_id + R"(,"id":"t2"}]})");
  ASSERT_TRUE(wait_cursors(team.id, carol.id, "2/2"));
  c->publish_raw(rcpt, R"({"type":"read","seq":1})");
  c->publish_raw(rcpt, R"({"type":"delivered","refs":[{"from":)" + a_id + R"(,"id":"t1"}]})");
  a->send(in_team, "t3");
  ASSERT_TRUE(a->wait_all_answered(10s));
  c->publish_raw(rcpt, R"({"type":"delivered","seq":3})");
  ASSERT_TRUE(wait_cursors(team.id, carol.id, "3/2")) << cursors(team.id, carol.id);
  EXPECT_EQ(cursors(other.id, carol.id), "0/0");
  EXPECT_EQ(cursors(team.id, bob.id), "0/0");
}

}  // namespace
}  // namespace chat::bridge::testing
