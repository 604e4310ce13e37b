// The change notifications (PostgreSQL NOTIFY payloads) that feed the plugin's
// membership cache: every form parses, anything else is refused.
#include "auth_change.hpp"

#include <gtest/gtest.h>

namespace chat::auth {
namespace {

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

}  // namespace
}  // namespace chat::auth
