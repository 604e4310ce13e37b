#include "storage_test_env.hpp"

#include <set>
#include <thread>
#include <vector>

namespace chat::storage::testing {
namespace {

class ChatsTest : public StorageTest {};

TEST_F(ChatsTest, DirectChatIsOnePerPairWhicheverSideOpensIt) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const Chat first = store().open_direct(a.id, b.id);
  EXPECT_EQ(first.kind, ChatKind::direct);
  EXPECT_FALSE(first.owner_id);
  EXPECT_EQ(first.title, "");
  EXPECT_EQ(first.last_seq, 0);

  EXPECT_EQ(store().open_direct(b.id, a.id).id, first.id);
  EXPECT_EQ(store().open_direct(a.id, b.id).id, first.id);

  const auto members = store().members(first.id);
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
      ids[static_cast<std::size_t>(i)] = i % 2 == 0 ? own.open_direct(a.id, b.id).id
                                                    : own.open_direct(b.id, a.id).id;
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
    store().open_direct(a.id, a.id);
    FAIL();
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::invalid_input);
  }
  try {
    store().open_direct(a.id, 999999);
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
  const Chat group = store().create_group(owner.id, "Book club 📚", invited);

  EXPECT_EQ(group.kind, ChatKind::group);
  EXPECT_EQ(group.title, "Book club 📚");
  EXPECT_EQ(group.owner_id, owner.id);
  EXPECT_FALSE(group.deleted());

  const auto members = store().members(group.id);
  ASSERT_EQ(members.size(), 3u);
  for (const Member& m : members) {
    EXPECT_EQ(m.role, m.user_id == owner.id ? MemberRole::owner : MemberRole::member);
    EXPECT_EQ(m.delivered_seq, 0);
    EXPECT_EQ(m.read_seq, 0);
  }

  const auto found = store().find_chat(group.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->title, group.title);
  EXPECT_FALSE(store().find_chat(group.id + 1000));
}

TEST_F(ChatsTest, GroupWithAnUnknownMemberIsNotCreated) {
  const User owner = make_user("olga");
  const std::vector<UserId> invited{777777};
  try {
    store().create_group(owner.id, "x", invited);
    FAIL();
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::foreign_key_violation);
  }
  EXPECT_EQ(psql("SELECT count(*) FROM chats"), "0");
}

TEST_F(ChatsTest, MembersAreAddedAndRemoved) {
  const User owner = make_user("olga");
  const User mia = make_user("mia");
  const Chat group = store().create_group(owner.id, "g", {});

  EXPECT_EQ(store().add_member(group.id, mia.id), MembershipChange::changed);
  EXPECT_EQ(store().add_member(group.id, mia.id), MembershipChange::unchanged);
  EXPECT_EQ(store().members(group.id).size(), 2u);
  EXPECT_GE(store().find_chat(group.id)->updated_at_ms, group.updated_at_ms);

  EXPECT_EQ(store().remove_member(group.id, mia.id), MembershipChange::changed);
  EXPECT_EQ(store().remove_member(group.id, mia.id), MembershipChange::unchanged);
  EXPECT_EQ(store().members(group.id).size(), 1u);

  EXPECT_EQ(store().add_member(group.id + 1000, mia.id), MembershipChange::chat_unavailable);
}

TEST_F(ChatsTest, DirectAndDeletedChatsKeepTheirMembers) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const User c = make_user("cleo");
  const Chat direct = store().open_direct(a.id, b.id);
  EXPECT_EQ(store().add_member(direct.id, c.id), MembershipChange::chat_unavailable);
  EXPECT_EQ(store().remove_member(direct.id, a.id), MembershipChange::chat_unavailable);

  const Chat group = store().create_group(a.id, "g", {});
  psql("UPDATE chats SET deleted_at = now() WHERE id = " + std::to_string(group.id));
  EXPECT_EQ(store().add_member(group.id, c.id), MembershipChange::chat_unavailable);
  EXPECT_TRUE(store().find_chat(group.id)->deleted());
}

}  // namespace
}  // namespace chat::storage::testing
