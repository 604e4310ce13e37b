// What a user's publish must pass (ACL, rate limit, size, payload) and the
// nacks it gets back; the token bucket; the membership cache and the change
// notifications that feed it; the remembered-password cache.
#include "auth_cache.hpp"
#include "auth_change.hpp"
#include "password_cache.hpp"
#include "publish_gate.hpp"
#include "token_bucket.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace chat::auth {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

// ---- token bucket ----------------------------------------------------------------

TEST(AuthTokenBucket, AllowsTheBurstThenTheRate) {
  TokenBucket bucket(10, 3, 0);
  EXPECT_TRUE(bucket.try_take(0));
  EXPECT_TRUE(bucket.try_take(0));
  EXPECT_TRUE(bucket.try_take(0));
  EXPECT_FALSE(bucket.try_take(0));
  EXPECT_FALSE(bucket.try_take(kSecond / 20));  // half a token
  EXPECT_TRUE(bucket.try_take(kSecond / 10));
  EXPECT_FALSE(bucket.try_take(kSecond / 10));
  EXPECT_TRUE(bucket.try_take(10 * kSecond));
  EXPECT_TRUE(bucket.try_take(10 * kSecond));
  EXPECT_TRUE(bucket.try_take(10 * kSecond));
  EXPECT_FALSE(bucket.try_take(10 * kSecond)) << "never more than the burst saved up";
}

TEST(AuthTokenBucket, IdleWhenFullAndUnused) {
  TokenBucket bucket(1, 2, 0);
  EXPECT_FALSE(bucket.idle(0, kSecond));
  bucket.try_take(0);
  EXPECT_FALSE(bucket.idle(kSecond / 2, kSecond));
  EXPECT_TRUE(bucket.idle(5 * kSecond, kSecond));
}

// ---- publish gate ------------------------------------------------------------------

class GateTest : public ::testing::Test {
 protected:
  GateTest() : gate(options(), cache, stats) { cache.load({.group_members = {{50, 7}}}); }
  static const Options& options() {
    static const Options o = [] {
      Options x;
      x.publish_rate_per_s = 1;
      x.publish_burst = 3;
      x.max_payload_bytes = 200;
      return x;
    }();
    return o;
  }
  WriteVerdict publish(const std::string& topic, const std::string& payload, std::int64_t now = 0) {
    return gate.check(Principal::user(7, "7"), topic, payload, false, now);
  }
  AuthCache cache;
  Stats stats;
  PublishGate gate;
};

TEST_F(GateTest, AllowsValidPublishes) {
  EXPECT_TRUE(publish("dm/9/msg/7", R"({"id":"c1","type":"text","text":"hi"})").allowed);
  EXPECT_TRUE(publish("g/50/rcpt/7", R"({"type":"read","seq":3})").allowed);
  EXPECT_TRUE(publish("dm/9/typing/7", "").allowed);
}

TEST_F(GateTest, RequestsPassWithTheirOwnUidAndAnyBodyWithinTheSizeLimit) {
  // The bridge reads requests and answers malformed ones itself (with the
  // request's id when it can read one), so the edge checks only who and how much.
  EXPECT_TRUE(publish("req/7/phone", R"({"id":"r1","op":"chat.list"})").allowed);
  EXPECT_TRUE(publish("req/7/laptop", "not json").allowed) << "any of the user's devices";
  EXPECT_EQ(publish("req/8/phone", R"({"id":"r1","op":"chat.list"})").error, Rejection::forbidden);
  EXPECT_EQ(publish("req/7/phone", std::string(201, 'x')).error, Rejection::too_large);
}

TEST_F(GateTest, ForbiddenPublishGetsANack) {
  const auto verdict = publish("g/51/msg/7", R"({"id":"c1","type":"text","text":"hi"})");
  EXPECT_FALSE(verdict.allowed);
  EXPECT_EQ(verdict.error, Rejection::forbidden);
  const auto nack = nlohmann::json::parse(verdict.nack);
  EXPECT_EQ(nack["error"], "forbidden");
  EXPECT_EQ(nack["id"], "c1") << "the id is read for the nack";
  EXPECT_EQ(nack["topic"], "g/51/msg/7");
  EXPECT_EQ(stats.denied_write, 1u);
}

TEST_F(GateTest, BadPayloadGetsANackWithTheReason) {
  const auto verdict = publish("dm/9/msg/7", R"({"id":"c2","type":"gif"})");
  EXPECT_FALSE(verdict.allowed);
  const auto nack = nlohmann::json::parse(verdict.nack);
  EXPECT_EQ(nack["error"], "bad_request");
  EXPECT_EQ(nack["id"], "c2");
  EXPECT_NE(nack["detail"].get<std::string>().find("type"), std::string::npos);
  EXPECT_EQ(publish("dm/9/msg/7", std::string(201, ' '), 10 * kSecond).error, Rejection::too_large);
}

TEST_F(GateTest, UsersMayNotPublishRetained) {
  const auto verdict = gate.check(Principal::user(7, "7"), "st/7/phone", "online", true, 0);
  EXPECT_FALSE(verdict.allowed);
  EXPECT_EQ(verdict.error, Rejection::forbidden);
  EXPECT_NE(nlohmann::json::parse(verdict.nack)["detail"].get<std::string>().find("retained"), std::string::npos);
  EXPECT_FALSE(
      gate.check(Principal::user(7, "7"), "dm/9/msg/7", R"({"id":"c1","type":"text","text":"x"})", true, 0).allowed);
}

TEST_F(GateTest, RateLimitPerUser) {
  const std::string msg = R"({"id":"c3","type":"text","text":"hi"})";
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(publish("dm/9/msg/7", msg).allowed);
  const auto limited = publish("dm/9/msg/7", msg);
  EXPECT_FALSE(limited.allowed);
  EXPECT_EQ(limited.error, Rejection::rate_limited);
  EXPECT_EQ(nlohmann::json::parse(limited.nack)["error"], "rate_limited");
  EXPECT_EQ(nlohmann::json::parse(limited.nack)["id"], "c3");
  EXPECT_TRUE(gate.check(Principal::user(8, "8"), "dm/9/msg/8", msg, false, 0).allowed) << "per user";
  EXPECT_TRUE(publish("dm/9/msg/7", msg, 2 * kSecond).allowed) << "the bucket refills";
  EXPECT_EQ(stats.rejected_rate_limited, 1u);
}

TEST_F(GateTest, NacksAreBudgeted) {
  int nacks = 0;
  for (int i = 0; i < 10; ++i) {
    if (!publish("dm/9/msg/8", "{}").nack.empty()) ++nacks;
  }
  EXPECT_EQ(nacks, 3) << "a flood of refused publishes is not answered by a flood of nacks";
  EXPECT_EQ(stats.nacks_suppressed, 7u);
}

TEST_F(GateTest, ServiceAccountIsNotLimited) {
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(gate.check(Principal::service(), "u/9/ev", "x", true, 0).allowed);
}

TEST_F(GateTest, PruneForgetsIdleUsers) {
  publish("dm/9/typing/7", "");
  EXPECT_EQ(gate.tracked_users(), 1u);
  gate.prune(kSecond, 60 * kSecond);
  EXPECT_EQ(gate.tracked_users(), 1u);
  gate.prune(100 * kSecond, 60 * kSecond);
  EXPECT_EQ(gate.tracked_users(), 0u);
}

// ---- change notifications and the cache ------------------------------------------------

TEST(AuthChanges, ParsesEveryForm) {
  auto c = parse_auth_change("m+ 5 7 1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, AuthChange::Kind::member_added);
  EXPECT_EQ(c->chat, 5);
  EXPECT_EQ(c->uid, 7);
  EXPECT_EQ(parse_auth_change("m- 5 7 22")->kind, AuthChange::Kind::member_removed);
  EXPECT_EQ(parse_auth_change("c- 5 3")->kind, AuthChange::Kind::group_removed);
  EXPECT_EQ(parse_auth_change("c+ 5 3")->kind, AuthChange::Kind::group_restored);
  c = parse_auth_change("u- 7 alice 9");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, AuthChange::Kind::user_refused);
  EXPECT_EQ(c->username, "alice");
  EXPECT_EQ(parse_auth_change("u+ 7 alice 9")->kind, AuthChange::Kind::user_allowed);
  EXPECT_EQ(parse_auth_change("p 7 alice 9")->kind, AuthChange::Kind::password_changed);
  c = parse_auth_change("t 7 1763700000 9");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, AuthChange::Kind::tokens_revoked);
  EXPECT_EQ(c->uid, 7);
  EXPECT_EQ(c->not_before, 1763700000);
  c = parse_auth_change("b+ 7 9 12");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, AuthChange::Kind::user_blocked);
  EXPECT_EQ(c->uid, 7);
  EXPECT_EQ(c->blocked_uid, 9);
  EXPECT_EQ(parse_auth_change("b- 7 9 13")->kind, AuthChange::Kind::user_unblocked);
  for (const char* bad :
       {"", "m+", "m+ 5 7", "m+ 5 x 1", "m+ 0 7 1", "x 5 7 1", "c- 5", "u- 7 1", "m+ 5 7 1 2", "m+  5 7 1", "t 7 1",
        "t 7 x 1", "t 7 -5 1", "b+ 7 1", "b+ 7 x 1", "b- 0 9 1", "b+ 7 9 1 2"}) {
    EXPECT_FALSE(parse_auth_change(bad).has_value()) << bad;
  }
}

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

// ---- remembered passwords --------------------------------------------------------------

TEST(AuthPasswordCache, RemembersAndForgets) {
  PasswordCache cache(60, 3);
  cache.remember("alice", "pw", 42, 100);
  EXPECT_EQ(cache.find("alice", "pw", 100), 42);
  EXPECT_FALSE(cache.find("alice", "pw2", 100));
  EXPECT_FALSE(cache.find("bob", "pw", 100));
  EXPECT_FALSE(cache.find("alice", "pw", 160)) << "expired";
  cache.remember("alice", "pw", 42, 200);
  cache.forget_user(42);
  EXPECT_FALSE(cache.find("alice", "pw", 200));
  cache.remember("a", "1", 1, 300);
  cache.remember("b", "1", 2, 300);
  cache.remember("c", "1", 3, 300);
  cache.remember("d", "1", 4, 300);
  EXPECT_LE(cache.size(), 3u) << "bounded";
  EXPECT_EQ(cache.find("d", "1", 300), 4);
  PasswordCache off(0, 10);
  off.remember("a", "1", 1, 0);
  EXPECT_FALSE(off.find("a", "1", 0)) << "ttl 0 turns remembering off";
}

}  // namespace
}  // namespace chat::auth
