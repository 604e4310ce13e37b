// Messages that act on messages (docs/protocol.md, "Conversation features")
// through a real broker with the auth plugin, the bridge and PostgreSQL:
// edits, deletions for everyone, reactions and replies are stored and acked
// like text and change their target; refusals are nacked with the contract's
// code and store nothing; a member offline meanwhile gets them all by `sync`,
// in order; history shows each message's state. (The bridge's own checks
// without the plugin: bridge_message_actions_own_checks_test.cpp.)
#include "bridge_message_actions_env.hpp"

namespace chat::bridge::testing {
namespace {

TEST_F(BridgeMessageActions, EditDeleteReactionAndReplyAreStoredAndChangeTheirTarget) {
  auto [a, b, c] = start_connected();

  ASSERT_EQ(sent(a, text("a1", "hello")).seq, 1);
  ASSERT_EQ(sent(b, text("b1", "hi")).seq, 2);
  const Answer edited = sent(a, edit("a2", 1, "hello, corrected"));
  ASSERT_EQ(edited.seq, 3) << edited.error << " " << edited.detail;
  EXPECT_EQ(sent(b, reaction("b2", 1, "👍")).seq, 4);
  EXPECT_EQ(sent(c, reaction("c1", 1, "👍")).seq, 5);
  EXPECT_EQ(sent(b, reaction("b3", 1, "❤️")).seq, 6);
  EXPECT_EQ(sent(b, reaction("b4", 1, "❤️", /*remove=*/true)).seq, 7);
  json reply = text("b5", "yes");
  reply["reply_to"] = 1;
  EXPECT_EQ(sent(b, reply).seq, 8);
  EXPECT_EQ(sent(a, deletion("a3", 2)).seq, 9);  // the owner deletes bob's message

  const json messages = history(c);
  ASSERT_EQ(messages.size(), 9u) << messages;
  const json& first = messages[0];
  EXPECT_EQ(first["text"], "hello, corrected");
  EXPECT_EQ(first["edited_at"], edited.ts);
  EXPECT_EQ(first["reactions"], json({{"👍", {bob_.id, carol_.id}}}));
  EXPECT_FALSE(first.contains("deleted"));
  const json& second = messages[1];
  EXPECT_EQ(second["deleted"], true);
  EXPECT_FALSE(second.contains("text"));
  EXPECT_EQ(second["from"], bob_.id);
  EXPECT_EQ(messages[2]["type"], "edit");
  EXPECT_EQ(messages[2]["target"], 1);
  EXPECT_EQ(messages[3]["type"], "reaction");
  EXPECT_EQ(messages[3]["emoji"], "👍");
  EXPECT_EQ(messages[6]["remove"], true);
  EXPECT_EQ(messages[7]["reply_to"], 1);
  EXPECT_EQ(messages[8]["type"], "delete");
  EXPECT_EQ(check_messages_consistent(), 9);
}

TEST_F(BridgeMessageActions, RefusalsAreNackedWithTheirCodeAndStoreNothing) {
  auto [a, b, c] = start_connected();
  ASSERT_EQ(sent(a, text("a1", "alice's")).seq, 1);
  ASSERT_EQ(sent(b, text("b1", "bob's")).seq, 2);
  ASSERT_EQ(sent(b, reaction("b2", 1, "👍")).seq, 3);

  const auto expect_nack = [&](ChatClient& client, const json& message, const std::string& error,
                               const std::string& detail) {
    const Answer answer = sent(client, message);
    EXPECT_EQ(answer.seq, 0) << message;
    EXPECT_EQ(answer.error, error) << message;
    EXPECT_EQ(answer.detail, detail) << message;
  };
  expect_nack(b, edit("b3", 1, "not mine"), "forbidden", "not_author");
  expect_nack(a, edit("a2", 99, "nothing there"), "not_found", "target_not_found");
  expect_nack(a, edit("a3", 3, "a reaction"), "bad_request", "target_wrong_type");
  json reply = text("b5", "to nothing");
  reply["reply_to"] = 99;
  expect_nack(b, reply, "not_found", "target_not_found");
  expect_nack(c, deletion("c1", 2), "forbidden", "not_author");  // neither author nor owner
  ASSERT_EQ(sent(b, deletion("b6", 2)).seq, 4);
  expect_nack(b, deletion("b7", 2), "not_found", "target_deleted");  // deleting twice
  expect_nack(c, reaction("c2", 2, "👍"), "not_found", "target_deleted");
  // Past the edit window (48 h by default).
  psql("UPDATE messages SET created_at = created_at - interval '49 hours' WHERE chat_id = " + std::to_string(chat_) +
       " AND seq = 1");
  expect_nack(a, edit("a4", 1, "too late"), "forbidden", "edit_window_expired");

  EXPECT_EQ(last_seq(), 4);
  EXPECT_EQ(check_messages_consistent(), 4);
  EXPECT_EQ(history(c)[0]["text"], "alice's");
}

// One user keeps at most 20 distinct emoji on one message
// (limits::kMaxReactionsPerUser); any single grapheme is an emoji here.
TEST_F(BridgeMessageActions, ReactionsPerUserAndMessageAreCapped) {
  auto [a, b, c] = start_connected();
  ASSERT_EQ(sent(a, text("a1", "react to this")).seq, 1);
  std::int64_t seq = 1;
  for (char letter = 'a'; letter < 'a' + 20; ++letter) {
    const Answer added = sent(b, reaction(std::string("b-") + letter, 1, std::string(1, letter)));
    ASSERT_EQ(added.seq, ++seq) << added.error << " " << added.detail;
  }
  const Answer refused = sent(b, reaction("b-21st", 1, "👍"));
  EXPECT_EQ(refused.seq, 0);
  EXPECT_EQ(refused.error, "forbidden");
  EXPECT_EQ(refused.detail, "too_many_reactions");
  EXPECT_EQ(sent(b, reaction("b-held", 1, "a")).seq, ++seq);  // held already: no new emoji
  EXPECT_EQ(sent(c, reaction("c-1", 1, "👍")).seq, ++seq);     // per user: carol's first
  EXPECT_EQ(sent(b, reaction("b-drop", 1, "a", /*remove=*/true)).seq, ++seq);
  EXPECT_EQ(sent(b, reaction("b-now", 1, "👍")).seq, ++seq);  // a place was freed

  const json first = history(c)[0];
  std::size_t bobs = 0;
  for (const auto& [emoji, users] : first["reactions"].items()) {
    for (const auto& uid : users) {
      if (uid == bob_.id) ++bobs;
    }
  }
  EXPECT_EQ(bobs, 20u) << first;
  EXPECT_EQ(first["reactions"]["👍"], json({bob_.id, carol_.id}));
  EXPECT_FALSE(first["reactions"].contains("a"));
  EXPECT_EQ(last_seq(), seq);
}

TEST_F(BridgeMessageActions, TheEditWindowIsABridgeOption) {
  start({"--edit_window_s", "3600"});
  auto a = client(alice_.id);
  ASSERT_EQ(sent(*a, text("a1", "v0")).seq, 1);
  psql("UPDATE messages SET created_at = now() - interval '30 minutes' WHERE chat_id = " + std::to_string(chat_) +
       " AND seq = 1");
  EXPECT_EQ(sent(*a, edit("a2", 1, "v1")).seq, 2);
  psql("UPDATE messages SET created_at = now() - interval '2 hours' WHERE chat_id = " + std::to_string(chat_) +
       " AND seq = 1");
  EXPECT_EQ(sent(*a, edit("a3", 1, "v2")).detail, "edit_window_expired");
  EXPECT_EQ(history(*a)[0]["text"], "v1");
}

// Refusals are decided per message inside the batch's transaction: the
// chat's row is held, so what is sent meanwhile is stored in as few
// transactions as the writer makes of it, refusals among them.
TEST_F(BridgeMessageActions, ARefusalDoesNotFailTheRestOfTheBatch) {
  start();
  auto connected = clients({alice_.id, bob_.id});
  auto& a = *connected[0];
  auto& b = *connected[1];
  {
    HeldRow held(conninfo(), "chats", chat_);
    a.send_json(group(chat_, alice_.id), text("a1", "first"));             // seq 1
    a.send_json(group(chat_, alice_.id), edit("a2", 99, "no such seq"));   // refused
    a.send_json(group(chat_, alice_.id), edit("a3", 1, "first, edited"));  // seq 2
    // Bob's after alice's have reached the bridge: one order across the two connections.
    ASSERT_TRUE(
        chat::testing::wait_until([&] { return bridge_->metric("chat_bridge_messages_received_total") >= 3; }, 10s));
    b.send_json(group(chat_, bob_.id), edit("b1", 1, "not bob's"));  // refused
    b.send_json(group(chat_, bob_.id), reaction("b2", 1, "🎉"));      // seq 3
    ASSERT_TRUE(
        chat::testing::wait_until([&] { return bridge_->metric("chat_bridge_messages_received_total") >= 5; }, 10s));
  }
  ASSERT_TRUE(a.wait_all_answered(10s));
  ASSERT_TRUE(b.wait_all_answered(10s));
  EXPECT_TRUE(a.nack_of("a2").has_value());
  EXPECT_TRUE(b.nack_of("b1").has_value());
  EXPECT_EQ(a.acks_of("a3").at(0).seq, 2);
  EXPECT_EQ(b.acks_of("b2").at(0).seq, 3);
  const json messages = history(a);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0]["text"], "first, edited");
  EXPECT_EQ(messages[0]["reactions"], json({{"🎉", {bob_.id}}}));
}

// The case: a member offline during an edit, a delete and a reaction
// gets all of them by `sync`, in order, and history shows the state.
TEST_F(BridgeMessageActions, AMemberOfflineMeanwhileGetsEveryActionBySyncInOrder) {
  start();
  auto connected = clients({alice_.id, bob_.id});
  auto& a = *connected[0];
  auto& b = *connected[1];
  ASSERT_EQ(sent(a, text("a1", "one")).seq, 1);
  ASSERT_EQ(sent(a, text("a2", "two")).seq, 2);
  // Carol holds seqs 1 and 2, and is offline from here on.
  ASSERT_EQ(sent(a, edit("a3", 2, "two, edited")).seq, 3);
  ASSERT_EQ(sent(b, reaction("b1", 1, "👍")).seq, 4);
  ASSERT_EQ(sent(a, deletion("a4", 2)).seq, 5);
  const Answer last_edit = sent(a, edit("a5", 1, "one, edited"));
  ASSERT_EQ(last_edit.seq, 6);

  auto c = client(carol_.id);
  const json synced = c->request("sync", {{"cursors", {{std::to_string(chat_), 2}}}});
  ASSERT_TRUE(synced.value("ok", false)) << synced;
  const json& chats = synced["result"]["chats"];
  ASSERT_EQ(chats.size(), 1u) << synced;
  const json& got = chats[0]["messages"];
  ASSERT_EQ(got.size(), 4u) << got;
  EXPECT_EQ(got[0]["seq"], 3);
  EXPECT_EQ(got[0]["type"], "edit");
  EXPECT_EQ(got[0]["target"], 2);
  EXPECT_FALSE(got[0].contains("text"));  // it would show what was deleted
  EXPECT_EQ(got[1]["seq"], 4);
  EXPECT_EQ(got[1]["type"], "reaction");
  EXPECT_EQ(got[1]["emoji"], "👍");
  EXPECT_EQ(got[2]["seq"], 5);
  EXPECT_EQ(got[2]["type"], "delete");
  EXPECT_EQ(got[2]["target"], 2);
  EXPECT_EQ(got[3]["seq"], 6);
  EXPECT_EQ(got[3]["text"], "one, edited");
  EXPECT_FALSE(synced["result"]["more"].get<bool>());

  const json messages = history(*c);
  ASSERT_EQ(messages.size(), 6u);
  EXPECT_EQ(messages[0]["text"], "one, edited");
  EXPECT_EQ(messages[0]["edited_at"], last_edit.ts);
  EXPECT_EQ(messages[0]["reactions"], json({{"👍", {bob_.id}}}));
  EXPECT_EQ(messages[1]["deleted"], true);
  EXPECT_FALSE(messages[1].contains("text"));
  EXPECT_FALSE(messages[1].contains("edited_at"));
}

// Malformed shapes never reach the bridge: the plugin nacks them at the edge
// (bad_request, with the message's id). The valid message sent after them is
// the only one the bridge receives.
TEST_F(BridgeMessageActions, ThePluginRefusesMalformedShapes) {
  start();
  auto a = client(alice_.id);
  ASSERT_EQ(sent(*a, text("a0", "target")).seq, 1);
  const std::vector<json> malformed{
      {{"id", "m1"}, {"type", "edit"}, {"text", "no target"}},
      {{"id", "m2"}, {"type", "edit"}, {"target", 1}},
      {{"id", "m3"}, {"type", "reaction"}, {"target", 1}, {"emoji", "👍👍"}},
      {{"id", "m4"}, {"type", "reaction"}, {"target", 1}, {"emoji", std::string(33, 'a')}},
      {{"id", "m5"}, {"type", "reaction"}, {"target", 1}, {"emoji", "👍"}, {"remove", "yes"}},
      {{"id", "m6"}, {"type", "delete"}, {"target", 1}, {"media", {{"id", "m-1"}}}},
      {{"id", "m7"}, {"type", "text"}, {"text", "x"}, {"reply_to", 0}},
      {{"id", "m8"}, {"type", "delete"}, {"target", "1"}},
  };
  for (const json& message : malformed) {
    const Answer answer = sent(*a, message);
    EXPECT_EQ(answer.error, "bad_request") << message;
    EXPECT_FALSE(answer.detail.empty()) << message;
  }
  ASSERT_EQ(sent(*a, text("a1", "marker")).seq, 2);
  EXPECT_EQ(bridge_->metric("chat_bridge_messages_received_total"), 2);
  EXPECT_EQ(last_seq(), 2);
}

}  // namespace
}  // namespace chat::bridge::testing
