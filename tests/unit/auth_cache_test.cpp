// The plugin's membership cache: a snapshot, then the changes applied on top
// (members, groups, users refused, token revocations, blocks).
#include "auth_cache.hpp"
#include "auth_change.hpp"

#include <gtest/gtest.h>

namespace chat::auth {
namespace {

TEST(AuthCacheTest, LoadsAndAppliesChanges) {
  AuthCache cache;
  EXPECT_FALSE(cache.ready());
  EXPECT_TRUE(cache.load({.group_members = {{5, 7}, {5, 8}, {6, 7}}, .refused_users = {{9, "nine"}}}).empty())
      << "a first load kicks nobody";
  EXPECT_TRUE(cache.ready());
  EXPECT_TRUE(cache.is_member(5, 7));
  EXPECT_FALSE(cache.is_member(6, 8));
  EXPECT_TRUE(cache.is_refused(9));
  using K = AuthChange::Kind;
  cache.apply({{{K::member_removed, 5, 7, ""}, {}},
               {{K::member_added, 6, 8, ""}, {}},
               {{K::member_added, 6, 8, ""}, {}},
               {{K::user_allowed, 0, 9, "x"}, {}},
               {{K::user_refused, 0, 10, "y"}, {}}});
  EXPECT_FALSE(cache.is_member(5, 7));
  EXPECT_TRUE(cache.is_member(6, 8));
  EXPECT_FALSE(cache.is_refused(9));
  EXPECT_TRUE(cache.is_refused(10));
  EXPECT_EQ(cache.counts().memberships, 3u);
  cache.apply({{{K::group_removed, 6, 0, ""}, {}}});
  EXPECT_FALSE(cache.is_member(6, 7));
  EXPECT_EQ(cache.counts().groups, 1u);
  cache.apply({{{K::group_restored, 6, 0, ""}, {7, 11}}});
  EXPECT_TRUE(cache.is_member(6, 11));
  EXPECT_EQ(cache.counts().memberships, 3u);
}

// Issue #13, item 9: revocation times from the snapshot and the change feed.
TEST(AuthCacheTest, KeepsTheLatestTokenRevocationPerUser) {
  AuthCache cache;
  cache.load({.token_floors = {{7, 1000}}});
  EXPECT_EQ(cache.tokens_not_before(7), 1000);
  EXPECT_EQ(cache.tokens_not_before(8), 0) << "never revoked";
  using K = AuthChange::Kind;
  AuthChange later{K::tokens_revoked, 0, 7, ""};
  later.not_before = 2000;
  AuthChange earlier = later;
  earlier.not_before = 1500;  // heard again after a snapshot that already had 2000
  cache.apply({{later, {}}, {earlier, {}}});
  EXPECT_EQ(cache.tokens_not_before(7), 2000);
  cache.load({});
  EXPECT_EQ(cache.tokens_not_before(7), 0) << "a snapshot replaces everything";
}

// Issue #13, item 8: users disabled while the loader had no session must
// still be disconnected; the reload names them.
TEST(AuthCacheTest, AReloadNamesTheUsersRefusedMeanwhile) {
  AuthCache cache;
  EXPECT_TRUE(cache.load({.refused_users = {{9, "nine"}}}).empty());
  const auto newly = cache.load({.refused_users = {{9, "nine"}, {10, "ten"}}});
  ASSERT_EQ(newly.size(), 1u);
  EXPECT_EQ(newly[0].id, 10);
  EXPECT_EQ(newly[0].username, "ten");
}

TEST(AuthCacheTest, ReplayingChangesAfterASnapshotGivesTheLatestState) {
  // Changes heard between LISTEN and the snapshot are applied again on top of
  // it: each states an end state, so the last one for a pair wins.
  AuthCache cache;
  cache.load({});  // the snapshot already saw "added, then removed"
  using K = AuthChange::Kind;
  cache.apply({{{K::member_added, 5, 7, ""}, {}}, {{K::member_removed, 5, 7, ""}, {}}});
  EXPECT_FALSE(cache.is_member(5, 7));
}

// Blocking (issue #15): pairs from the snapshot and the change feed, one way only.
TEST(AuthCacheTest, FollowsBlocksFromTheSnapshotAndTheChanges) {
  AuthCache cache;
  cache.load({.blocks = {{7, 9}}});
  EXPECT_TRUE(cache.blocks(7, 9));
  EXPECT_FALSE(cache.blocks(9, 7)) << "a block goes one way";
  using K = AuthChange::Kind;
  AuthChange block{K::user_blocked, 0, 8, ""};
  block.blocked_uid = 9;
  AuthChange unblock{K::user_unblocked, 0, 7, ""};
  unblock.blocked_uid = 9;
  cache.apply({{block, {}}, {block, {}}, {unblock, {}}});
  EXPECT_TRUE(cache.blocks(8, 9));
  EXPECT_FALSE(cache.blocks(7, 9));
  EXPECT_EQ(cache.counts().blocks, 1u) << "a repeated change counts once";
  cache.load({});
  EXPECT_FALSE(cache.blocks(8, 9)) << "a snapshot replaces everything";
}

}  // namespace
}  // namespace chat::auth
