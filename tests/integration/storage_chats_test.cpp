#include "storage_test_env.hpp"

#include "chat/storage/limits.hpp"

#include <algorithm>

#include <set>
#include <thread>
#include <vector>

namespace chat::storage::testing {
namespace {

class ChatsTest : public StorageTest {
 protected:
  // Users added to a group by SQL (fast, and not through the code under
  // test) until it has kMaxGroupMembers.
  void fill_group(ChatId group, std::size_t members_now) {
    psql(
        "WITH u AS (INSERT INTO users (username, display_name) SELECT 'filler' || n, 'filler' "
        "FROM generate_series(1, " +
        std::to_string(kMaxGroupMembers - members_now) +
        ") AS n RETURNING id) "
        "INSERT INTO chat_members (chat_id, user_id, role) SELECT " +
        std::to_string(group) + ", id, 'member' FROM u");
  }
};

TEST_F(ChatsTest, DirectChatIsOnePerPairWhicheverSideOpensIt) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const Chat first = store().chats().open_direct(a.id, b.id);
  EXPECT_EQ(first.kind, ChatKind::direct);
  EXPECT_FALSE(first.owner_id);
  EXPECT_EQ(first.title, "");
  EXPECT_EQ(first.last_seq, 0);

  EXPECT_EQ(store().chats().open_direct(b.id, a.id).id, first.id);
  EXPECT_EQ(store().chats().open_direct(a.id, b.id).id, first.id);

  const auto members = store().chats().members(first.id);
  ASSERT_EQ(members.size(), 2u);
  for (const Member& m : members) EXPECT_EQ(m.role, MemberRole::member);
  EXPECT_EQ(std::set<UserId>({members[0].user_id, members[1].user_id}), std::set<UserId>({a.id, b.id}));
}

TEST_F(ChatsTest, OpeningTheSameDirectChatConcurrentlyMakesOne) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  constexpr int kOpeners = 8;
  std::vector<ChatId> ids(kOpeners);
  std::vector<std::thread> openers;
  for (int i = 0; i < kOpeners; ++i) {
    openers.emplace_back([&, i] {
      Store own(conninfo());
      ids[static_cast<std::size_t>(i)] =
          i % 2 == 0 ? own.chats().open_direct(a.id, b.id).id : own.chats().open_direct(b.id, a.id).id;
    });
  }
  for (auto& t : openers) t.join();
  for (const ChatId id : ids) EXPECT_EQ(id, ids.front());
  EXPECT_EQ(psql("SELECT count(*) FROM chats WHERE kind = 'direct'"), "1");
  EXPECT_EQ(psql("SELECT count(*) FROM chat_members"), "2");
}

TEST_F(ChatsTest, DirectChatNeedsTwoExistingUsers) {
  const User a = make_user("anna");
  try {
    store().chats().open_direct(a.id, a.id);
    FAIL();
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::invalid_input);
  }
  try {
    store().chats().open_direct(a.id, 999999);
    FAIL();
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::foreign_key_violation);
  }
}

TEST_F(ChatsTest, GroupHasItsOwnerAndMembers) {
  const User owner = make_user("olga");
  const User m1 = make_user("mia");
  const User m2 = make_user("max");
  const std::vector<UserId> invited{m1.id, m2.id, m1.id, owner.id};  // repeats are ignored
  const Chat group = store().chats().create_group(owner.id, "Book club 📚", invited);

  EXPECT_EQ(group.kind, ChatKind::group);
  EXPECT_EQ(group.title, "Book club 📚");
  EXPECT_EQ(group.owner_id, owner.id);
  EXPECT_FALSE(group.deleted());

  const auto members = store().chats().members(group.id);
  ASSERT_EQ(members.size(), 3u);
  for (const Member& m : members) {
    EXPECT_EQ(m.role, m.user_id == owner.id ? MemberRole::owner : MemberRole::member);
    EXPECT_EQ(m.delivered_seq, 0);
    EXPECT_EQ(m.read_seq, 0);
  }

  const auto found = store().chats().find(group.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->title, group.title);
  EXPECT_FALSE(store().chats().find(group.id + 1000));
}

TEST_F(ChatsTest, GroupWithAnUnknownMemberIsNotCreated) {
  const User owner = make_user("olga");
  const std::vector<UserId> invited{777777};
  try {
    store().chats().create_group(owner.id, "x", invited);
    FAIL();
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::foreign_key_violation);
  }
  EXPECT_EQ(psql("SELECT count(*) FROM chats"), "0");
}

TEST_F(ChatsTest, MembersAreAddedAndRemoved) {
  const User owner = make_user("olga");
  const User mia = make_user("mia");
  const Chat group = store().chats().create_group(owner.id, "g", {});

  EXPECT_EQ(store().chats().add_member(group.id, mia.id), MembershipChange::changed);
  EXPECT_EQ(store().chats().add_member(group.id, mia.id), MembershipChange::unchanged);
  EXPECT_EQ(store().chats().members(group.id).size(), 2u);
  EXPECT_GE(store().chats().find(group.id)->updated_at_ms, group.updated_at_ms);

  EXPECT_EQ(store().chats().remove_member(group.id, mia.id), MembershipChange::changed);
  EXPECT_EQ(store().chats().remove_member(group.id, mia.id), MembershipChange::unchanged);
  EXPECT_EQ(store().chats().members(group.id).size(), 1u);

  EXPECT_EQ(store().chats().add_member(group.id + 1000, mia.id), MembershipChange::chat_unavailable);
}

TEST_F(ChatsTest, TheOwnerIsNotRemoved) {
  const User owner = make_user("olga");
  const User mia = make_user("mia");
  const Chat group = store().chats().create_group(owner.id, "g", std::vector<UserId>{mia.id});

  EXPECT_EQ(store().chats().remove_member(group.id, owner.id), MembershipChange::owner);
  EXPECT_EQ(psql("SELECT role FROM chat_members WHERE chat_id = " + std::to_string(group.id) +
                 " AND user_id = " + std::to_string(owner.id)),
            "owner");
  EXPECT_EQ(psql("SELECT owner_id FROM chats WHERE id = " + std::to_string(group.id)), std::to_string(owner.id));

  // Once the owner has left by its own request, the new owner is the one refused.
  const std::vector<UserId> leaving{owner.id};
  ASSERT_EQ(store().chats().remove_group_members(group.id, owner.id, leaving).status, GroupChangeStatus::ok);
  EXPECT_EQ(store().chats().remove_member(group.id, mia.id), MembershipChange::owner);
}

TEST_F(ChatsTest, NoPathGrowsAGroupPastTheCap) {
  const User owner = make_user("olga");
  const User member = make_user("mia");
  const User late = make_user("late");
  const std::vector<UserId> one{member.id};
  const Chat group = store().chats().create_group(owner.id, "g", one);
  fill_group(group.id, 2);
  const std::string count_sql = "SELECT count(*) FROM chat_members WHERE chat_id = " + std::to_string(group.id);
  ASSERT_EQ(psql(count_sql), std::to_string(kMaxGroupMembers));

  // An operator's add (chat-admin) and a member's request (the bridge) alike.
  EXPECT_EQ(store().chats().add_member(group.id, late.id), MembershipChange::group_full);
  const std::vector<UserId> newcomer{late.id};
  EXPECT_EQ(store().chats().add_group_members(group.id, owner.id, newcomer).status,
            GroupChangeStatus::too_many_members);
  EXPECT_EQ(psql(count_sql), std::to_string(kMaxGroupMembers));
  // A member already in is still "unchanged", not refused.
  EXPECT_EQ(store().chats().add_member(group.id, member.id), MembershipChange::unchanged);

  // With room again, the same add goes through.
  ASSERT_EQ(store().chats().remove_member(group.id, member.id), MembershipChange::changed);
  EXPECT_EQ(store().chats().add_member(group.id, late.id), MembershipChange::changed);
  EXPECT_EQ(psql(count_sql), std::to_string(kMaxGroupMembers));
}

TEST_F(ChatsTest, AGroupIsNotCreatedPastTheCap) {
  const User owner = make_user("olga");
  psql("INSERT INTO users (username, display_name) SELECT 'filler' || n, 'filler' FROM generate_series(1, " +
       std::to_string(kMaxGroupMembers) + ") AS n");
  const std::string ids = psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM users WHERE username LIKE 'filler%'");
  std::vector<UserId> others;
  for (std::size_t at = 0; at < ids.size();) {
    const std::size_t comma = std::min(ids.find(',', at), ids.size());
    others.push_back(std::stoll(ids.substr(at, comma - at)));
    at = comma + 1;
  }
  ASSERT_EQ(others.size(), kMaxGroupMembers);

  try {
    store().chats().create_group(owner.id, "too big", others);
    FAIL() << "a group of " << others.size() + 1 << " was created";
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::invalid_input);
  }
  EXPECT_EQ(psql("SELECT count(*) FROM chats"), "0");

  others.pop_back();  // the owner and 999 others: exactly the cap
  const Chat full = store().chats().create_group(owner.id, "full", others);
  EXPECT_EQ(store().chats().members(full.id).size(), kMaxGroupMembers);
}

TEST_F(ChatsTest, DirectAndDeletedChatsKeepTheirMembers) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const User c = make_user("cleo");
  const Chat direct = store().chats().open_direct(a.id, b.id);
  EXPECT_EQ(store().chats().add_member(direct.id, c.id), MembershipChange::chat_unavailable);
  EXPECT_EQ(store().chats().remove_member(direct.id, a.id), MembershipChange::chat_unavailable);

  const Chat group = store().chats().create_group(a.id, "g", {});
  psql("UPDATE chats SET deleted_at = now() WHERE id = " + std::to_string(group.id));
  EXPECT_EQ(store().chats().add_member(group.id, c.id), MembershipChange::chat_unavailable);
  EXPECT_TRUE(store().chats().find(group.id)->deleted());
}

}  // namespace
}  // namespace chat::storage::testing
