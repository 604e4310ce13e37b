// What the bridge's requests read and change in storage: chat lists, the
// states sync compares cursors with, messages after cursors, history by time,
// presence, and membership changes by members with the ownership rules.
#include "storage_test_env.hpp"

#include "chat/testing/database_clock.hpp"

namespace chat::storage::testing {
namespace {

class RequestsStoreTest : public StorageTest {
 protected:
  void append(ChatId chat, UserId sender, int count, const std::string& prefix = "m") {
    std::vector<NewMessage> batch;
    for (int i = 0; i < count; ++i) {
      batch.push_back(
          NewMessage{chat, sender, prefix + std::to_string(next_id_++), MessageType::text, R"({"text":"hello"})"});
    }
    for (const auto& result : store().messages().append_messages(batch)) ASSERT_TRUE(result.accepted());
  }
  // Whether the database's clock has passed `sql_time` (waiting for it): rows written next are later.
  bool database_clock_past(const std::string& sql_time) const {
    return chat::testing::wait_database_clock_past([this](const std::string& sql) { return psql(sql); }, sql_time);
  }
  static std::string joined_at_of(ChatId chat) {
    return "SELECT max(joined_at) FROM chat_members WHERE chat_id = " + std::to_string(chat);
  }
  int next_id_ = 0;
};

TEST_F(RequestsStoreTest, UserChatsAreTheLiveChatsWithTheUsersCursors) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const User c = make_user("cleo");
  const std::vector<UserId> ben{b.id};
  const Chat group = store().chats().create_group(a.id, "team", ben);
  const Chat direct = store().chats().open_direct(a.id, c.id);
  const Chat gone = store().chats().create_group(a.id, "gone", ben);
  ASSERT_EQ(store().chats().delete_group(gone.id, a.id).status, GroupChangeStatus::ok);
  append(group.id, b.id, 5);
  psql("UPDATE chat_members SET read_seq = 2, delivered_seq = 4 WHERE chat_id = " + std::to_string(group.id) +
       " AND user_id = " + std::to_string(a.id));

  const auto chats = store().chats().user_chats(a.id, 0, 10);
  ASSERT_EQ(chats.size(), 2u);  // the deleted group is not listed
  EXPECT_EQ(chats[0].chat.id, group.id);
  EXPECT_EQ(chats[0].role, MemberRole::owner);
  EXPECT_EQ(chats[0].chat.last_seq, 5);
  EXPECT_EQ(chats[0].read_seq, 2);
  EXPECT_EQ(chats[0].delivered_seq, 4);
  EXPECT_EQ(chats[0].unread(), 3);
  EXPECT_FALSE(chats[0].peer_id);
  EXPECT_EQ(chats[1].chat.id, direct.id);
  EXPECT_EQ(chats[1].peer_id, c.id);
  EXPECT_EQ(store().chats().user_chats(c.id, 0, 10).at(0).peer_id, a.id);

  // Pages by chat id.
  EXPECT_EQ(store().chats().user_chats(a.id, 0, 1).size(), 1u);
  EXPECT_EQ(store().chats().user_chats(a.id, group.id, 10).at(0).chat.id, direct.id);

  // What sync compares cursors with.
  const std::vector<ChatId> listed{group.id, gone.id, 999999};
  const auto states = store().chats().listed_chat_states(b.id, listed);
  ASSERT_EQ(states.size(), 3u);
  EXPECT_TRUE(states[0].live_member());
  EXPECT_TRUE(states[1].member);
  EXPECT_TRUE(states[1].chat->deleted());
  EXPECT_FALSE(states[2].chat);
  const std::vector<ChatId> only_group{group.id};
  const auto not_listed = store().chats().user_chats_not_listed(a.id, only_group, 10);
  ASSERT_EQ(not_listed.size(), 1u);
  EXPECT_EQ(not_listed[0].chat.id, direct.id);
}

// A member's mute (chat.mute) is in its own chat list entry while it is ahead
// of the database's clock: not another member's, not after an unmute, not once
// it has run out.
TEST_F(RequestsStoreTest, UserChatsCarryTheMembersMuteWhileItLasts) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const std::vector<UserId> ben{b.id};
  const Chat group = store().chats().create_group(a.id, "team", ben);
  const Chat other = store().chats().create_group(a.id, "other", ben);
  EXPECT_FALSE(store().chats().user_chats(a.id, 0, 10).at(0).muted_until_ms);

  constexpr TimeMs kYear2100 = 4102444800000;
  ASSERT_EQ(store().delivery().mute_chat(a.id, group.id, kYear2100), MuteStatus::ok);
  const auto chats = store().chats().user_chats(a.id, 0, 10);
  ASSERT_EQ(chats.size(), 2u);
  EXPECT_EQ(chats[0].muted_until_ms, kYear2100);
  EXPECT_FALSE(chats[1].muted_until_ms);                                       // the other chat
  EXPECT_FALSE(store().chats().user_chats(b.id, 0, 10).at(0).muted_until_ms);  // ben's view of it
  const std::vector<ChatId> only_other{other.id};
  EXPECT_EQ(store().chats().user_chats_not_listed(a.id, only_other, 10).at(0).muted_until_ms, kYear2100);

  ASSERT_EQ(store().delivery().mute_chat(a.id, group.id, std::nullopt), MuteStatus::ok);
  EXPECT_FALSE(store().chats().user_chats(a.id, 0, 10).at(0).muted_until_ms);

  // Ran out: a second ago by the database's own clock.
  ASSERT_EQ(store().delivery().mute_chat(a.id, group.id, kYear2100), MuteStatus::ok);
  psql("UPDATE chat_members SET muted_until = now() - interval '1 second' WHERE chat_id = " + std::to_string(group.id) +
       " AND user_id = " + std::to_string(a.id));
  EXPECT_FALSE(store().chats().user_chats(a.id, 0, 10).at(0).muted_until_ms);
}

// Unread counts messages of content (text, image, voice, file) after the
// read cursor; edits, deletions and reactions have seqs but are not new
// messages to a reader (schema v13). A deleted message keeps its place and counts.
TEST_F(RequestsStoreTest, UnreadCountsMessagesOfContentNotActions) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const std::vector<UserId> ben{b.id};
  const Chat group = store().chats().create_group(a.id, "team", ben);
  const Chat other = store().chats().create_group(a.id, "other", ben);
  const auto action = [&](MessageType type, const std::string& id, Seq target, const std::string& body) {
    NewMessage m{group.id, b.id, id, type, body};
    m.target = target;
    if (type == MessageType::edit) m.edit_text = "edited";
    if (type == MessageType::reaction) m.emoji = "👍";
    return m;
  };
  const std::vector<NewMessage> batch{
      NewMessage{group.id, b.id, "t1", MessageType::text, R"({"text":"one"})"},  // 1
      NewMessage{other.id, b.id, "o1", MessageType::text, R"({"text":"elsewhere"})"},
      NewMessage{group.id, b.id, "i2", MessageType::image, R"({"media":{"id":"m-1"}})"},  // 2
      action(MessageType::edit, "e3", 1, R"({"target":1,"text":"edited"})"),              // 3
      action(MessageType::reaction, "r4", 2, R"({"target":2,"emoji":"👍"})"),              // 4
      action(MessageType::edit, "refused", 99, R"({"target":99,"text":"x"})"),            // no seq
      NewMessage{group.id, b.id, "t5", MessageType::text, R"({"text":"five"})"},          // 5
      action(MessageType::deletion, "d6", 5, R"({"target":5})"),                          // 6
      action(MessageType::reaction, "r7", 1, R"({"target":1,"emoji":"👍"})"),              // 7
  };
  const auto results = store().messages().append_messages(batch);
  ASSERT_EQ(results[5].status, AppendStatus::target_not_found);
  ASSERT_EQ(results[8].seq, 7);

  const auto unread_at = [&](Seq read_seq) {
    psql("UPDATE chat_members SET read_seq = " + std::to_string(read_seq) +
         " WHERE chat_id = " + std::to_string(group.id) + " AND user_id = " + std::to_string(a.id));
    return store().chats().user_chats(a.id, 0, 10).at(0).unread();
  };
  EXPECT_EQ(unread_at(0), 3);  // seqs 1, 2 and 5 (deleted, still in its place)
  EXPECT_EQ(unread_at(1), 2);
  EXPECT_EQ(unread_at(3), 1);  // a cursor on an edit
  EXPECT_EQ(unread_at(4), 1);
  EXPECT_EQ(unread_at(5), 0);
  EXPECT_EQ(unread_at(7), 0);
  EXPECT_EQ(store().chats().user_chats(a.id, 0, 10).at(1).unread(), 1);  // the other chat

  // A text after actions in a later batch continues the count.
  append(group.id, b.id, 2);  // 8, 9
  EXPECT_EQ(unread_at(7), 2);
  EXPECT_EQ(unread_at(3), 3);
  // A cursor on a row an operator removed counts from the newest row below it.
  psql("DELETE FROM messages WHERE chat_id = " + std::to_string(group.id) + " AND seq = 4");
  EXPECT_EQ(unread_at(4), 3);
  // The same count for a chat not listed (what sync's chat.added carries).
  const std::vector<ChatId> only_other{other.id};
  EXPECT_EQ(store().chats().user_chats_not_listed(a.id, only_other, 10).at(0).unread(), 3);
}

TEST_F(RequestsStoreTest, MessagesAfterCursorsComeByChatThenSeqBoundedPerChat) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const std::vector<UserId> ben{b.id};
  const Chat one = store().chats().create_group(a.id, "one", ben);
  const Chat two = store().chats().create_group(a.id, "two", ben);
  append(two.id, a.id, 4);
  append(one.id, b.id, 6);
  psql("UPDATE messages SET deleted_at = now() WHERE chat_id = " + std::to_string(one.id) + " AND seq = 4");

  const std::vector<ChatCursor> cursors{{two.id, 1}, {one.id, 2}};
  const auto messages = store().messages().history(cursors, 3);
  ASSERT_EQ(messages.size(), 6u);
  std::vector<std::pair<ChatId, Seq>> order;
  for (const auto& m : messages) order.emplace_back(m.chat_id, m.seq);
  EXPECT_EQ(order, (std::vector<std::pair<ChatId, Seq>>{
                       {one.id, 3}, {one.id, 4}, {one.id, 5}, {two.id, 2}, {two.id, 3}, {two.id, 4}}));
  EXPECT_TRUE(messages[1].deleted());
  EXPECT_EQ(messages[1].body, "{}");
  EXPECT_EQ(messages[0].body, R"({"text": "hello"})");
}

TEST_F(RequestsStoreTest, HistoryBeforeATimeIsNewestFirst) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const Chat chat = store().chats().open_direct(a.id, b.id);
  append(chat.id, a.id, 3);
  // The next messages in a later millisecond than the third (history reads times in milliseconds).
  ASSERT_TRUE(database_clock_past(
      "SELECT date_trunc('milliseconds', max(created_at)) + interval '1 millisecond' FROM messages WHERE chat_id = " +
      std::to_string(chat.id)));
  const auto all = store().messages().history(chat.id, storage::HistoryAnchor::after(0), 10);
  const TimeMs third = all.at(2).created_at_ms;
  append(chat.id, a.id, 2);

  const auto before = store().messages().history(chat.id, storage::HistoryAnchor::before_time(third + 1), 10);
  ASSERT_EQ(before.size(), 3u);
  EXPECT_EQ(before[0].seq, 3);
  EXPECT_EQ(before[2].seq, 1);
  EXPECT_EQ(store().messages().history(chat.id, storage::HistoryAnchor::before_time(third + 1), 2).back().seq, 2);
  EXPECT_TRUE(
      store().messages().history(chat.id, storage::HistoryAnchor::before_time(all.at(0).created_at_ms), 10).empty());
}

TEST_F(RequestsStoreTest, PresenceAndLiveUsers) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  ASSERT_TRUE(store().delivery().set_device_state(a.id, "phone", true));
  ASSERT_TRUE(store().delivery().set_device_state(b.id, "phone", true));
  ASSERT_TRUE(store().delivery().set_device_state(b.id, "phone", false));
  const std::vector<UserId> asked{b.id, a.id, a.id, 424242};
  const auto presence = store().delivery().presence_of(asked);
  ASSERT_EQ(presence.size(), 2u);
  EXPECT_EQ(presence[0].user_id, a.id);
  EXPECT_TRUE(presence[0].online);
  EXPECT_FALSE(presence[1].online);
  EXPECT_TRUE(presence[1].last_seen_ms);

  ASSERT_EQ(store().users().delete_account(b.id, false).status, AccountStatus::ok);
  EXPECT_EQ(store().users().live_among(asked), std::vector<UserId>{a.id});
}

TEST_F(RequestsStoreTest, OnlyTheOwnerAddsRemovesOthersAndDeletes) {
  const User owner = make_user("anna");
  const User member = make_user("ben");
  const User outsider = make_user("cleo");
  const User newcomer = make_user("dora");
  const std::vector<UserId> ben{member.id};
  const Chat chat = store().chats().create_group(owner.id, "team", ben);
  const std::vector<UserId> dora{newcomer.id};
  const std::vector<UserId> anna{owner.id};

  EXPECT_EQ(store().chats().add_group_members(chat.id, member.id, dora).status, GroupChangeStatus::not_owner);
  EXPECT_EQ(store().chats().add_group_members(chat.id, outsider.id, dora).status, GroupChangeStatus::not_member);
  EXPECT_EQ(store().chats().remove_group_members(chat.id, member.id, anna).status, GroupChangeStatus::not_owner);
  EXPECT_EQ(store().chats().delete_group(chat.id, member.id).status, GroupChangeStatus::not_owner);
  EXPECT_EQ(store().chats().add_group_members(424242, owner.id, dora).status, GroupChangeStatus::chat_not_found);
  const std::vector<UserId> unknown{newcomer.id, 424242};
  const auto missing = store().chats().add_group_members(chat.id, owner.id, unknown);
  EXPECT_EQ(missing.status, GroupChangeStatus::user_not_found);
  EXPECT_EQ(missing.missing_users, std::vector<UserId>{424242});
  EXPECT_EQ(store().chats().members(chat.id).size(), 2u) << "a refused change changes nothing";

  const auto added = store().chats().add_group_members(chat.id, owner.id, dora);
  ASSERT_EQ(added.status, GroupChangeStatus::ok);
  EXPECT_EQ(added.added, dora);
  EXPECT_EQ(added.members.size(), 3u);
  EXPECT_EQ(added.members_before, (std::vector<UserId>{owner.id, member.id}));
  EXPECT_TRUE(store().chats().add_group_members(chat.id, owner.id, dora).added.empty()) << "already a member";

  // A member may remove itself.
  const auto left = store().chats().remove_group_members(chat.id, newcomer.id, dora);
  ASSERT_EQ(left.status, GroupChangeStatus::ok);
  EXPECT_EQ(left.removed, dora);
  EXPECT_FALSE(left.new_owner);

  // Direct chats keep their members and are not deleted.
  const Chat direct = store().chats().open_direct(owner.id, member.id);
  EXPECT_EQ(store().chats().remove_group_members(direct.id, owner.id, anna).status, GroupChangeStatus::direct_chat);
  EXPECT_EQ(store().chats().delete_group(direct.id, owner.id).status, GroupChangeStatus::direct_chat);

  const auto deleted = store().chats().delete_group(chat.id, owner.id);
  ASSERT_EQ(deleted.status, GroupChangeStatus::ok);
  EXPECT_TRUE(deleted.deleted);
  EXPECT_TRUE(deleted.chat.deleted());
  EXPECT_EQ(deleted.members_before, (std::vector<UserId>{owner.id, member.id}));
  EXPECT_EQ(store().chats().delete_group(chat.id, owner.id).status, GroupChangeStatus::chat_deleted);
  // A deleted chat accepts no more messages.
  const std::vector<NewMessage> late{{chat.id, member.id, "late", MessageType::text, R"({"text":"x"})"}};
  EXPECT_EQ(store().messages().append_messages(late).at(0).status, AppendStatus::chat_deleted);
}

TEST_F(RequestsStoreTest, WhenTheOwnerLeavesTheLongestStandingMemberTakesOverAndTheLastOneClosesIt) {
  const User owner = make_user("anna");
  const User first = make_user("ben");
  const User second = make_user("cleo");
  const std::vector<UserId> cleo{second.id};
  const Chat chat = store().chats().create_group(owner.id, "team", cleo);
  ASSERT_TRUE(database_clock_past(joined_at_of(chat.id)));  // ben joins after cleo
  const std::vector<UserId> ben{first.id};
  ASSERT_EQ(store().chats().add_group_members(chat.id, owner.id, ben).status, GroupChangeStatus::ok);

  const std::vector<UserId> anna{owner.id};
  const auto left = store().chats().remove_group_members(chat.id, owner.id, anna);
  ASSERT_EQ(left.status, GroupChangeStatus::ok);
  EXPECT_EQ(left.new_owner, second.id) << "cleo joined first, although ben has the lower id";
  EXPECT_EQ(left.chat.owner_id, second.id);
  EXPECT_FALSE(left.deleted);
  EXPECT_EQ(psql("SELECT role FROM chat_members WHERE chat_id = " + std::to_string(chat.id) +
                 " AND user_id = " + std::to_string(second.id)),
            "owner");

  // The new owner may remove others; the last member leaving closes the chat.
  ASSERT_EQ(store().chats().remove_group_members(chat.id, second.id, ben).status, GroupChangeStatus::ok);
  const auto last = store().chats().remove_group_members(chat.id, second.id, cleo);
  ASSERT_EQ(last.status, GroupChangeStatus::ok);
  EXPECT_TRUE(last.deleted);
  EXPECT_TRUE(last.chat.deleted());
  EXPECT_TRUE(last.members.empty());
}

}  // namespace
}  // namespace chat::storage::testing
