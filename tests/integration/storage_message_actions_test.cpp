// Messages that act on messages through the real append path and PostgreSQL:
// the target's state changes in the action's transaction, history reads it,
// a resent action is applied once, and a deleted message's media is served
// to nobody but its uploader.
#include "storage_test_env.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace chat::storage::testing {
namespace {

using nlohmann::json;

class MessageActionsTest : public GroupOfTwoTest {
 protected:
  NewMessage message(UserId sender, std::string id, MessageType type, json body) const {
    NewMessage m;
    m.chat_id = group_.id;
    m.sender_id = sender;
    m.client_msg_id = std::move(id);
    m.type = type;
    m.body = body.dump();
    if (body.contains("target")) m.target = body["target"].get<Seq>();
    if (body.contains("reply_to")) m.reply_to = body["reply_to"].get<Seq>();
    if (type == MessageType::edit) m.edit_text = body["text"].get<std::string>();
    if (type == MessageType::reaction) {
      m.emoji = body["emoji"].get<std::string>();
      m.remove = body.value("remove", false);
    }
    return m;
  }

  AppendResult append(const NewMessage& m) { return store().messages().append_messages(std::vector{m}).at(0); }

  StoredMessage at(Seq seq) {
    const auto page = store().messages().history(group_.id, HistoryAnchor::after(seq - 1), 1);
    EXPECT_EQ(page.size(), 1u);
    return page.at(0);
  }
};

TEST_F(MessageActionsTest, ActionsChangeTheTargetAndHistoryReadsItsState) {
  ASSERT_EQ(append(message(alice_.id, "t1", MessageType::text, {{"text", "hello"}, {"x", 1}})).seq, 1);
  const AppendResult edited =
      append(message(alice_.id, "e1", MessageType::edit, {{"target", 1}, {"text", "hello, corrected"}}));
  ASSERT_EQ(edited.status, AppendStatus::stored);
  for (const auto& [user, id, emoji] : std::vector<std::tuple<UserId, std::string, std::string>>{
           {bob_.id, "r1", "👍"}, {alice_.id, "r2", "👍"}, {bob_.id, "r3", "❤️"}}) {
    ASSERT_EQ(append(message(user, id, MessageType::reaction, {{"target", 1}, {"emoji", emoji}})).status,
              AppendStatus::stored);
  }
  ASSERT_EQ(
      append(message(bob_.id, "r4", MessageType::reaction, {{"target", 1}, {"emoji", "❤️"}, {"remove", true}}))
          .status,
      AppendStatus::stored);

  const StoredMessage target = at(1);
  EXPECT_EQ(json::parse(target.body), json({{"text", "hello, corrected"}, {"x", 1}}));  // other fields stay
  EXPECT_EQ(target.edited_at_ms, edited.created_at_ms);
  EXPECT_EQ(json::parse(target.reactions), json({{"👍", {alice_.id, bob_.id}}}));
  // The edit itself is a message of the chat with its own body.
  EXPECT_EQ(at(2).type, MessageType::edit);
  EXPECT_EQ(json::parse(at(2).body), json({{"target", 1}, {"text", "hello, corrected"}}));

  // Deleted for everyone: no content, no reactions, and the edit that showed
  // the text keeps its place without it.
  const AppendResult deleted = append(message(alice_.id, "d1", MessageType::deletion, {{"target", 1}}));
  ASSERT_EQ(deleted.status, AppendStatus::stored);
  EXPECT_EQ(at(1).body, "{}");
  EXPECT_EQ(at(1).deleted_at_ms, deleted.created_at_ms);
  EXPECT_TRUE(at(1).reactions.empty());
  EXPECT_EQ(json::parse(at(2).body), json({{"target", 1}}));
  EXPECT_EQ(psql("SELECT count(*) FROM message_reactions"), "0");
  // A sync round reads the same state.
  const std::vector<ChatCursor> cursors{{group_.id, 0}};
  const auto synced = store().messages().history(cursors, 10);
  ASSERT_EQ(synced.size(), 7u);
  EXPECT_TRUE(synced[0].deleted());
  EXPECT_EQ(synced[6].type, MessageType::deletion);
}

TEST_F(MessageActionsTest, AResentActionIsAcknowledgedAgainNotAppliedAgain) {
  ASSERT_EQ(append(message(alice_.id, "t1", MessageType::text, {{"text", "v0"}})).seq, 1);
  const NewMessage first = message(alice_.id, "e1", MessageType::edit, {{"target", 1}, {"text", "v1"}});
  ASSERT_EQ(append(first).seq, 2);
  ASSERT_EQ(append(message(alice_.id, "e2", MessageType::edit, {{"target", 1}, {"text", "v2"}})).seq, 3);
  const AppendResult resent = append(first);
  EXPECT_EQ(resent.status, AppendStatus::duplicate);
  EXPECT_EQ(resent.seq, 2);
  EXPECT_EQ(json::parse(at(1).body)["text"], "v2");
}

TEST_F(MessageActionsTest, ARefusedActionStoresNothingAndTheBatchGoesOn) {
  ASSERT_EQ(append(message(alice_.id, "t1", MessageType::text, {{"text", "mine"}})).seq, 1);
  const std::vector<NewMessage> batch{
      message(bob_.id, "bad-edit", MessageType::edit, {{"target", 1}, {"text", "not yours"}}),
      message(bob_.id, "ok", MessageType::text, {{"text", "fine"}, {"reply_to", 1}}),
      message(bob_.id, "bad-reply", MessageType::text, {{"text", "?"}, {"reply_to", 9}}),
  };
  const auto results = store().messages().append_messages(batch);
  EXPECT_EQ(results[0].status, AppendStatus::not_author);
  EXPECT_EQ(results[1].status, AppendStatus::stored);
  EXPECT_EQ(results[1].seq, 2);
  EXPECT_EQ(results[2].status, AppendStatus::target_not_found);
  EXPECT_EQ(psql("SELECT count(*) FROM messages"), "2");
  EXPECT_EQ(psql("SELECT count(*) FROM message_client_ids"), "2");
  EXPECT_EQ(json::parse(at(1).body)["text"], "mine");
  EXPECT_FALSE(at(1).edited_at_ms.has_value());
}

TEST_F(MessageActionsTest, ADeletedMessagesMediaIsServedToItsUploaderOnly) {
  store().media().insert(NewMedia{"m-1", alice_.id, "image/png", 10, std::string(64, 'a')});
  ASSERT_EQ(append(message(alice_.id, "i1", MessageType::image, {{"media", {{"id", "m-1"}}}})).seq, 1);
  ASSERT_TRUE(store().media().find_for("m-1", bob_.id)->allowed);

  ASSERT_EQ(append(message(alice_.id, "d1", MessageType::deletion, {{"target", 1}})).status, AppendStatus::stored);
  EXPECT_FALSE(store().media().find_for("m-1", bob_.id)->allowed);
  EXPECT_TRUE(store().media().find_for("m-1", alice_.id)->allowed);
}

}  // namespace
}  // namespace chat::storage::testing
