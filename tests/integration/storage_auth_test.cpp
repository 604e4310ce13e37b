// The auth plugin's side of the data layer: the one-row credentials lookup,
// the cache snapshot, and the change notifications of 0002_auth's triggers.
#include "chat/storage/auth.hpp"
#include "chat/storage/limits.hpp"
#include "storage_test_env.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace chat::storage::testing {
namespace {

using namespace std::chrono_literals;

class StorageAuthTest : public StorageTest {
 protected:
  // Everything notified within `window` (one Store LISTENing since SetUp).
  std::vector<std::string> heard(std::chrono::milliseconds window = 300ms) {
    std::vector<std::string> payloads;
    const auto deadline = std::chrono::steady_clock::now() + window;
    while (std::chrono::steady_clock::now() < deadline) {
      for (auto& note : listener().auth().wait_for_notifications(50ms)) {
        EXPECT_EQ(note.channel, kAuthChangesChannel);
        // Drop the serial number: the tests compare the changes.
        payloads.push_back(note.payload.substr(0, note.payload.rfind(' ')));
      }
    }
    return payloads;
  }
  // The changes other than token revocations (which carry a time).
  std::vector<std::string> heard_without_revocations() {
    auto payloads = heard();
    std::erase_if(payloads, [](const std::string& p) { return p.starts_with("t "); });
    return payloads;
  }
  Store& listener() {
    if (!listener_) {
      listener_ = std::make_unique<Store>(conninfo());
      listener_->auth().listen_for_changes();
    }
    return *listener_;
  }
  std::unique_ptr<Store> listener_;
};

TEST_F(StorageAuthTest, FindsCredentialsByFoldedUsername) {
  NewUser row;
  row.username = "alice";
  row.password_hash = "$pbkdf2-sha512$i=1000$c2FsdA$aGFzaA";
  const User alice = store().users().create(row);
  const auto found = store().auth().find_credentials("Alice");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, alice.id);
  EXPECT_EQ(found->password_hash, row.password_hash);
  EXPECT_FALSE(found->disabled);
  EXPECT_FALSE(store().auth().find_credentials("nobody").has_value());
  EXPECT_FALSE(store().auth().find_credentials("' OR '1'='1").has_value());
  const User bob = make_user("bob");
  EXPECT_FALSE(store().auth().find_credentials("bob")->password_hash.has_value());
  (void)bob;
}

TEST_F(StorageAuthTest, SnapshotHasLiveGroupsAndRefusedUsers) {
  const User a = make_user("alice");
  const User b = make_user("bob");
  const User c = make_user("carol");
  const Chat live = store().chats().create_group(a.id, "live", std::vector<UserId>{b.id});
  const Chat gone = store().chats().create_group(a.id, "gone", std::vector<UserId>{c.id});
  store().chats().open_direct(a.id, c.id);
  psql("UPDATE chats SET deleted_at = now() WHERE id = " + std::to_string(gone.id));
  UserPatch disable;
  disable.disabled = true;
  store().users().update(c.id, disable);

  const AuthSnapshot snapshot = store().auth().load_snapshot();
  std::vector<std::pair<ChatId, UserId>> expected = {{live.id, a.id}, {live.id, b.id}};
  auto members = snapshot.group_members;
  std::sort(members.begin(), members.end());
  EXPECT_EQ(members, expected) << "live groups only: no direct chat, no deleted group";
  EXPECT_EQ(snapshot.refused_users, (std::vector<RefusedUser>{{c.id, "carol"}}));
  EXPECT_EQ(store().auth().live_group_members(live.id), (std::vector<UserId>{a.id, b.id}));
  EXPECT_TRUE(store().auth().live_group_members(gone.id).empty());
}

TEST_F(StorageAuthTest, MembershipChangesAreNotified) {
  const User a = make_user("alice");
  const User b = make_user("bob");
  listener();
  const Chat group = store().chats().create_group(a.id, "g", std::vector<UserId>{b.id});
  const std::string g = std::to_string(group.id);
  const std::string ua = std::to_string(a.id);
  const std::string ub = std::to_string(b.id);
  EXPECT_EQ(heard(), (std::vector<std::string>{"m+ " + g + " " + ua, "m+ " + g + " " + ub}));
  store().chats().remove_member(group.id, b.id);
  store().chats().add_member(group.id, b.id);
  EXPECT_EQ(heard(), (std::vector<std::string>{"m- " + g + " " + ub, "m+ " + g + " " + ub}));
  store().chats().open_direct(a.id, b.id);
  EXPECT_TRUE(heard().empty()) << "direct chats are not followed";
}

TEST_F(StorageAuthTest, RepeatedChangesInOneTransactionAllArrive) {
  // PostgreSQL folds identical payloads of one transaction; the serial number
  // keeps "added, removed, added again" from arriving as "added, removed".
  const User a = make_user("alice");
  const User b = make_user("bob");
  const Chat group = store().chats().create_group(a.id, "g", {});
  listener();
  const std::string g = std::to_string(group.id);
  const std::string ub = std::to_string(b.id);
  psql("BEGIN; INSERT INTO chat_members (chat_id, user_id) VALUES (" + g + ", " + ub +
       "); DELETE FROM chat_members WHERE chat_id = " + g + " AND user_id = " + ub +
       "; INSERT INTO chat_members (chat_id, user_id) VALUES (" + g + ", " + ub + "); COMMIT;");
  EXPECT_EQ(heard(), (std::vector<std::string>{"m+ " + g + " " + ub, "m- " + g + " " + ub, "m+ " + g + " " + ub}));
}

TEST_F(StorageAuthTest, GroupAndUserChangesAreNotified) {
  const User a = make_user("alice");
  const Chat group = store().chats().create_group(a.id, "g", {});
  listener();
  const std::string g = std::to_string(group.id);
  const std::string ua = std::to_string(a.id);
  psql("UPDATE chats SET deleted_at = now() WHERE id = " + g);
  psql("UPDATE chats SET title = 'x' WHERE id = " + g);
  psql("UPDATE chats SET deleted_at = NULL WHERE id = " + g);
  EXPECT_EQ(heard(), (std::vector<std::string>{"c- " + g, "c+ " + g}));
  UserPatch disable;
  disable.disabled = true;
  store().users().update(a.id, disable);
  store().users().update(a.id, disable);  // unchanged: no notification
  disable.disabled = false;
  store().users().update(a.id, disable);
  psql("UPDATE users SET password_hash = 'x' WHERE id = " + ua);
  EXPECT_EQ(heard_without_revocations(),
            (std::vector<std::string>{"u- " + ua + " alice", "u+ " + ua + " alice", "p " + ua + " alice"}));
  const User d = make_user("dave");
  psql("DELETE FROM users WHERE id = " + std::to_string(d.id));
  EXPECT_EQ(heard(), (std::vector<std::string>{"u- " + std::to_string(d.id) + " dave"}));
  EXPECT_EQ(store().auth().load_snapshot().refused_users, (std::vector<RefusedUser>{{d.id, "dave"}}))
      << "deleted users stay refused";
}

// Issue #13, item 9: a password change, disabling and re-enabling, and an
// explicit revocation void the user's earlier tokens; the plugin hears the
// time at once and finds it in its snapshot after a reconnect.
TEST_F(StorageAuthTest, TokenRevocationsAreNotifiedAndInTheSnapshot) {
  const User a = make_user("alice");
  const std::string ua = std::to_string(a.id);
  EXPECT_TRUE(store().auth().load_snapshot().token_floors.empty()) << "no revocation yet";
  listener();
  const auto now_s = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const std::int64_t before = now_s();
  psql("UPDATE users SET password_hash = 'y' WHERE id = " + ua);
  UserPatch flip;
  flip.disabled = true;
  store().users().update(a.id, flip);
  flip.disabled = false;
  store().users().update(a.id, flip);
  psql("UPDATE users SET tokens_not_before = now() WHERE id = " + ua);
  psql("UPDATE users SET display_name = 'A' WHERE id = " + ua);  // no revocation
  std::vector<std::string> revocations;
  for (const auto& p : heard()) {
    if (p.starts_with("t ")) revocations.push_back(p);
  }
  ASSERT_EQ(revocations.size(), 4u) << "password, disable, enable, explicit";
  for (const auto& r : revocations) {
    ASSERT_TRUE(r.starts_with("t " + ua + " ")) << r;
    const std::int64_t at = std::stoll(r.substr(r.rfind(' ') + 1));
    EXPECT_GE(at, before);
    EXPECT_LE(at, now_s());
  }
  const auto floors = store().auth().load_snapshot().token_floors;
  ASSERT_EQ(floors.size(), 1u);
  EXPECT_EQ(floors[0].first, a.id);
  EXPECT_EQ(floors[0].second, std::stoll(revocations.back().substr(revocations.back().rfind(' ') + 1)));
}

// Blocking (issue #15, migration 0009): the plugin hears each block and
// unblock, and its snapshot has every pair.
TEST_F(StorageAuthTest, BlocksAreNotifiedAndInTheSnapshot) {
  const User a = make_user("alice");
  const User b = make_user("bob");
  const User c = make_user("carol");
  const std::string ua = std::to_string(a.id);
  const std::string ub = std::to_string(b.id);
  listener();
  EXPECT_EQ(store().blocks().block(a.id, b.id), BlockOutcome::blocked);
  EXPECT_EQ(store().blocks().block(a.id, b.id), BlockOutcome::blocked) << "idempotent";
  EXPECT_EQ(store().blocks().block(c.id, a.id), BlockOutcome::blocked);
  EXPECT_EQ(heard(), (std::vector<std::string>{"b+ " + ua + " " + ub, "b+ " + std::to_string(c.id) + " " + ua}))
      << "a block already there is not announced again";
  EXPECT_EQ(store().auth().load_snapshot().blocks,
            (std::vector<std::pair<UserId, UserId>>{{a.id, b.id}, {c.id, a.id}}));
  EXPECT_EQ(store().blocks().blocked_by(a.id), std::vector<UserId>{b.id});
  EXPECT_EQ(store().blocks().blocking(a.id, std::vector<UserId>{b.id, c.id, c.id}), std::vector<UserId>{c.id});
  EXPECT_TRUE(store().blocks().unblock(a.id, b.id));
  EXPECT_FALSE(store().blocks().unblock(a.id, b.id)) << "idempotent";
  EXPECT_EQ(heard(), (std::vector<std::string>{"b- " + ua + " " + ub}));
  EXPECT_THROW(store().blocks().block(a.id, a.id), DbError) << "nobody blocks itself";
}

TEST_F(StorageAuthTest, AUserBlocksAtMostTheLimit) {
  const User a = make_user("alice");
  psql("INSERT INTO users (username) SELECT 'many' || g FROM generate_series(1, " +
       std::to_string(kMaxBlockedUsers + 1) + ") g");
  psql("INSERT INTO user_blocks (blocker_id, blocked_id) SELECT " + std::to_string(a.id) +
       ", id FROM users WHERE username LIKE 'many%' AND username <> 'many1'");
  const UserId last = std::stoll(psql("SELECT id FROM users WHERE username = 'many1'"));
  ASSERT_EQ(store().blocks().blocked_by(a.id).size(), kMaxBlockedUsers);
  EXPECT_EQ(store().blocks().block(a.id, last), BlockOutcome::limit_reached);
  EXPECT_EQ(store().blocks().blocked_by(a.id).size(), kMaxBlockedUsers) << "nothing was added";
  const UserId blocked = store().blocks().blocked_by(a.id).front();
  EXPECT_EQ(store().blocks().block(a.id, blocked), BlockOutcome::blocked) << "an existing block is not a new one";
}

TEST_F(StorageAuthTest, WaitingOnADeadSessionThrowsConnectionLost) {
  listener();
  cluster().psql(database(),
                 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'");
  EXPECT_THROW(
      {
        for (int i = 0; i < 20; ++i) listener().auth().wait_for_notifications(50ms);
      },
      DbError);
  listener().auth().listen_for_changes();  // the next call reconnects and listens again
  psql("UPDATE users SET disabled = true WHERE id = " + std::to_string(make_user("erin").id));
  EXPECT_EQ(heard_without_revocations().size(), 1u);
}

}  // namespace
}  // namespace chat::storage::testing
