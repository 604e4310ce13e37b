// What a user's publish must pass (ACL, rate limit, size, payload) and the
// nacks it gets back.
#include "auth_cache.hpp"
#include "publish_gate.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace chat::auth {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

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

}  // namespace
}  // namespace chat::auth
