// Every row of the contract's access rules (docs/protocol.md, "Access rules")
// for write, read and subscribe, for users and the service account.
#include "acl.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

namespace chat::auth {
namespace {

class FakeMembers final : public MembershipView {
 public:
  std::set<std::pair<ChatId, Uid>> members;
  std::set<std::pair<Uid, Uid>> blocked;  // (blocker, blocked)
  bool is_member(ChatId chat, Uid uid) const override { return members.count({chat, uid}) != 0; }
  bool blocks(Uid blocker, Uid who) const override { return blocked.count({blocker, who}) != 0; }
};

class AclTest : public ::testing::Test {
 protected:
  AclTest() {
    members.members = {{50, 7}, {50, 8}, {51, 8}};  // user 7 is in group 50, not in 51
  }
  bool can(Access access, const std::string& topic) const {
    return check_access(Principal::user(7, "7"), access, topic, members).allowed;
  }
  bool can_write(const std::string& topic) const { return can(Access::write, topic); }
  bool can_read(const std::string& topic) const { return can(Access::read, topic); }
  bool can_subscribe(const std::string& topic) const { return can(Access::subscribe, topic); }
  FakeMembers members;
};

// ---- write ------------------------------------------------------------------

TEST_F(AclTest, WritesOwnDirectTopics) {
  EXPECT_TRUE(can_write("dm/9/msg/7"));
  EXPECT_TRUE(can_write("dm/9/rcpt/7"));
  EXPECT_TRUE(can_write("dm/9/typing/7"));
}

TEST_F(AclTest, DoesNotWriteAsAnotherUser) {
  EXPECT_FALSE(can_write("dm/9/msg/8"));
  EXPECT_FALSE(can_write("dm/7/msg/9"));  // into its own inbox as 9
  EXPECT_FALSE(can_write("dm/9/rcpt/8"));
  EXPECT_FALSE(can_write("dm/9/typing/8"));
  EXPECT_FALSE(can_write("g/50/msg/8"));
  EXPECT_FALSE(can_write("req/8/phone"));
  EXPECT_FALSE(can_write("st/8/phone"));
}

TEST_F(AclTest, WritesGroupTopicsOnlyAsAMember) {
  EXPECT_TRUE(can_write("g/50/msg/7"));
  EXPECT_TRUE(can_write("g/50/rcpt/7"));
  EXPECT_TRUE(can_write("g/50/typing/7"));
  EXPECT_FALSE(can_write("g/51/msg/7"));
  EXPECT_FALSE(can_write("g/51/rcpt/7"));
  EXPECT_FALSE(can_write("g/51/typing/7"));
}

TEST_F(AclTest, WritesOwnRequestsAndStatus) {
  EXPECT_TRUE(can_write("req/7/phone"));
  EXPECT_TRUE(can_write("st/7/phone"));
  EXPECT_TRUE(can_write("st/7/Laptop_2-x"));
  EXPECT_FALSE(can_write("req/7/bad.device"));
  EXPECT_FALSE(can_write("st/7/"));
  EXPECT_FALSE(can_write("req/7"));
  EXPECT_FALSE(can_write("req/7/phone/x"));
}

TEST_F(AclTest, NeverWritesWhatTheBridgeWrites) {
  EXPECT_FALSE(can_write("u/7/ev"));
  EXPECT_FALSE(can_write("u/7/rsp/phone"));
  EXPECT_FALSE(can_write("presence/7"));
}

TEST_F(AclTest, WriteRefusesMalformedTopics) {
  for (const char* topic : {"dm/9/msg/07",
                            "dm/09/msg/7",
                            "dm/0/msg/7",
                            "dm//msg/7",
                            "dm/9//7",
                            "dm/9/msg/",
                            "dm/abc/msg/7",
                            "dm/9/foo/7",
                            "dm/9/msg/7/extra",
                            "dm/9/msg",
                            "dm/-1/msg/7",
                            "dm/99999999999999999999/msg/7",
                            "g/abc/msg/7",
                            "g//msg/7",
                            "g/50/msg/7/x",
                            "dm/+/msg/7",
                            "dm/9/msg/#",
                            "x/9/msg/7",
                            "",
                            "/",
                            "$SYS/broker/x",
                            "$share/a/dm/9/msg/7",
                            "DM/9/msg/7"}) {
    EXPECT_FALSE(can_write(topic)) << topic;
  }
}

// ---- read (every delivery) -------------------------------------------------------

TEST_F(AclTest, ReadsWhatIsAddressedToIt) {
  EXPECT_TRUE(can_read("dm/7/msg/9"));
  EXPECT_TRUE(can_read("dm/7/rcpt/9"));
  EXPECT_TRUE(can_read("dm/7/typing/9"));
  EXPECT_TRUE(can_read("u/7/ev"));
  EXPECT_TRUE(can_read("u/7/rsp/phone"));
  EXPECT_TRUE(can_read("u/7/rsp/laptop"));
}

TEST_F(AclTest, ReadsWhatItSent) {
  EXPECT_TRUE(can_read("dm/9/msg/7"));
  EXPECT_TRUE(can_read("dm/9/rcpt/7"));
  EXPECT_TRUE(can_read("dm/9/typing/7"));
}

TEST_F(AclTest, ReadsGroupsOnlyWhileAMember) {
  EXPECT_TRUE(can_read("g/50/msg/8"));
  EXPECT_TRUE(can_read("g/50/rcpt/8"));
  EXPECT_TRUE(can_read("g/50/typing/8"));
  EXPECT_TRUE(can_read("g/50/msg/7"));
  EXPECT_FALSE(can_read("g/51/msg/8"));
  members.members.erase({50, 7});
  EXPECT_FALSE(can_read("g/50/msg/8")) << "removal takes effect for the next delivery";
}

TEST_F(AclTest, ReadsPresenceOfAnyone) {
  EXPECT_TRUE(can_read("presence/9"));
  EXPECT_TRUE(can_read("presence/7"));
  EXPECT_FALSE(can_read("presence/abc"));
  EXPECT_FALSE(can_read("presence/9/x"));
}

TEST_F(AclTest, DoesNotReadOthers) {
  for (const char* topic :
       {"dm/9/msg/8", "dm/9/rcpt/8", "dm/9/typing/8", "u/9/ev", "u/9/rsp/phone", "req/7/phone", "req/9/phone",
        "st/7/phone", "st/9/phone", "$SYS/broker/uptime", "$SYS/broker/chat-auth/stats", "dm/7/msg/abc", "dm/7/foo/9",
        "u/7/ev/x", "u/7/other", "u/7/rsp/bad.device", "dm/7/msg/9/x", "x/7"}) {
    EXPECT_FALSE(can_read(topic)) << topic;
  }
}

// ---- subscribe ----------------------------------------------------------------

TEST_F(AclTest, SubscribesTheContractsFilters) {
  for (const char* filter :
       {"dm/7/#", "dm/+/+/7", "u/7/ev", "u/7/rsp/phone", "u/7/rsp/+", "u/7/#", "g/50/#", "presence/9", "presence/+"}) {
    EXPECT_TRUE(can_subscribe(filter)) << filter;
  }
}

TEST_F(AclTest, SubscribesNarrowerFiltersOfReadableTopics) {
  for (const char* filter : {"dm/7/msg/+", "dm/7/msg/9", "dm/7/+/9", "dm/7/+/+", "dm/7/rcpt/#", "dm/+/msg/7",
                             "dm/9/msg/7", "dm/9/+/7", "g/50/msg/+", "g/50/+/8", "g/50/msg/8", "u/7/+"}) {
    EXPECT_TRUE(can_subscribe(filter)) << filter;
  }
}

TEST_F(AclTest, RefusesFiltersThatCanMatchOthersTopics) {
  for (const char* filter :
       {"#",        "+",      "+/#",        "+/+/+/7",  "+/7/#",   "dm/#",        "dm/+",      "dm/+/#", "dm/+/msg/+",
        "dm/+/+/+", "dm/9/#", "dm/9/msg/+", "dm/+/+/#", "g/#",     "g/+/#",       "g/+/msg/7", "g/51/#", "u/#",
        "u/+/ev",   "u/9/#",  "presence/#", "presence", "req/7/#", "req/7/phone", "st/7/#",    "st/+/+"}) {
    EXPECT_FALSE(can_subscribe(filter)) << filter;
  }
}

TEST_F(AclTest, RefusesDollarTopicsAndSharedSubscriptions) {
  for (const char* filter : {"$SYS/#", "$SYS/broker/uptime", "$share/g1/dm/7/#", "$share/bridge/dm/+/msg/+",
                             "$share/x/#", "$CONTROL/dynamic-security/v1"}) {
    EXPECT_FALSE(can_subscribe(filter)) << filter;
  }
}

TEST_F(AclTest, RefusesMalformedIdsAndEmptyLevels) {
  for (const char* filter :
       {"dm//msg/7", "dm/7/msg/", "dm/07/#", "dm/0/#", "dm/abc/#", "dm/7/foo/#", "dm/+/+/07", "g//#", "g/050/#",
        "u/07/ev", "u//ev", "presence/", "presence/07", "dm/7/msg/9/x", "dm/7/#/x"}) {
    EXPECT_FALSE(can_subscribe(filter)) << filter;
  }
}

TEST_F(AclTest, GroupSubscriptionFollowsMembership) {
  EXPECT_FALSE(can_subscribe("g/51/#"));
  members.members.insert({51, 7});
  EXPECT_TRUE(can_subscribe("g/51/#")) << "an added member subscribes at once";
}

TEST_F(AclTest, UnsubscribeIsAlwaysAllowed) {
  EXPECT_TRUE(can(Access::unsubscribe, "#"));
  EXPECT_TRUE(can(Access::unsubscribe, "$share/x/dm/9/#"));
}

TEST_F(AclTest, ServiceAccountMayDoEverything) {
  for (const auto access : {Access::read, Access::write, Access::subscribe}) {
    for (const char* topic : {"dm/9/msg/8", "g/51/msg/8", "u/9/ev", "presence/9", "req/9/phone", "#"}) {
      EXPECT_TRUE(check_access(Principal::service(), access, topic, members).allowed) << topic;
    }
  }
  EXPECT_TRUE(check_access(Principal::service(), Access::subscribe, "$share/bridge/dm/+/msg/+", members).allowed);
}

TEST_F(AclTest, AUserWithoutAnIdIsRefused) {
  EXPECT_FALSE(check_access(Principal::user(0, ""), Access::read, "presence/1", members).allowed);
}

TEST_F(AclTest, WriteClassifiesTheTopic) {
  const Principal me = Principal::user(7, "7");
  const auto dm = check_access(me, Access::write, "dm/9/msg/7", members);
  EXPECT_EQ(dm.topic.kind, TopicKind::direct);
  EXPECT_EQ(dm.topic.channel, Channel::msg);
  const auto group = check_access(me, Access::write, "g/50/rcpt/7", members);
  EXPECT_EQ(group.topic.kind, TopicKind::group);
  EXPECT_EQ(group.topic.channel, Channel::rcpt);
  const auto request = check_access(me, Access::write, "req/7/phone", members);
  EXPECT_EQ(request.topic.kind, TopicKind::other);
}

TEST_F(AclTest, AThrowingMembershipViewDenies) {
  class Throwing final : public MembershipView {
   public:
    bool is_member(ChatId, Uid) const override { throw std::runtime_error("boom"); }
    bool blocks(Uid, Uid) const override { throw std::runtime_error("boom"); }
  } throwing;
  EXPECT_FALSE(check_access(Principal::user(7, "7"), Access::read, "g/50/msg/8", throwing).allowed);
  EXPECT_FALSE(check_access(Principal::user(7, "7"), Access::write, "dm/9/msg/7", throwing).allowed);
  EXPECT_FALSE(check_access(Principal::user(7, "7"), Access::read, "presence/9", throwing).allowed);
}

TEST_F(AclTest, ABlockersDirectTopicsAreClosedToWhomItBlocks) {
  members.blocked = {{9, 7}};  // user 9 blocks user 7
  EXPECT_FALSE(can_write("dm/9/msg/7"));
  EXPECT_FALSE(can_write("dm/9/typing/7"));
  EXPECT_FALSE(can_write("dm/9/rcpt/7"));
  // Others' direct topics, and the other way round, stay open.
  EXPECT_TRUE(can_write("dm/10/msg/7"));
  members.blocked = {{7, 9}};  // user 7 blocks user 9: 7 may still write to 9
  EXPECT_TRUE(can_write("dm/9/msg/7"));
  EXPECT_TRUE(can_write("dm/9/typing/7"));
}

TEST_F(AclTest, ABlockedUsersGroupTopicsAreUnaffected) {
  members.blocked = {{8, 7}};  // 8 blocks 7; both are in group 50
  EXPECT_TRUE(can_write("g/50/msg/7"));
  EXPECT_TRUE(can_read("g/50/msg/8"));
  EXPECT_TRUE(can_subscribe("g/50/#"));
}

TEST_F(AclTest, ABlockersPresenceIsNotDeliveredToWhomItBlocks) {
  members.blocked = {{9, 7}};
  EXPECT_FALSE(can_read("presence/9"));
  EXPECT_TRUE(can_read("presence/10"));
  // Subscribing stays allowed: a SUBACK does not tell the block, and the
  // subscription works again once the block is lifted.
  EXPECT_TRUE(can_subscribe("presence/9"));
  EXPECT_TRUE(can_subscribe("presence/+"));
  members.blocked.clear();
  EXPECT_TRUE(can_read("presence/9"));
}

}  // namespace
}  // namespace chat::auth
