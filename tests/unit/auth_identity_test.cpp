// Sign-in identifiers: ids, client ids {uid}:{device}, usernames, and the
// characters no username or client id may hold (CVE-2017-7650).
#include "identity.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chat::auth {
namespace {

TEST(AuthIdentity, ParsesPositiveDecimalIds) {
  EXPECT_EQ(parse_id("1"), 1);
  EXPECT_EQ(parse_id("9223372036854775807"), 9223372036854775807LL);
  for (const char* bad : {"", "0", "01", "-1", "+1", "1a", " 1", "1 ", "9223372036854775808",
                          "99999999999999999999", "1.0", "0x10"}) {
    EXPECT_FALSE(parse_id(bad).has_value()) << bad;
  }
}

TEST(AuthIdentity, ParsesClientIds) {
  const auto id = parse_client_id("42:phone-1_A");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->uid, 42);
  EXPECT_EQ(id->uid_text, "42");
  EXPECT_EQ(id->device, "phone-1_A");
  for (const char* bad : {"", "42", "42:", ":phone", "042:phone", "0:phone", "abc:phone", "42:ph:one",
                          "42:ph one", "42:ph/one", "42:ph+", "42:#", "42:phone.x",
                          "42:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 33 */, "auto-1234"}) {
    EXPECT_FALSE(parse_client_id(bad).has_value()) << bad;
  }
}

TEST(AuthIdentity, RefusesWildcardsSlashesAndControlCharacters) {
  EXPECT_TRUE(is_safe_identifier("alice"));
  EXPECT_TRUE(is_safe_identifier("7:phone"));
  EXPECT_TRUE(is_safe_identifier("svc-bridge"));
  EXPECT_TRUE(is_safe_identifier("ünïcode"));
  for (const std::string& bad : {std::string(""), std::string("a+b"), std::string("#"), std::string("a/b"),
                                std::string("a\tb"), std::string("a\nb"), std::string("a\x7f"),
                                std::string("a\0b", 3), std::string("\x01")}) {
    EXPECT_FALSE(is_safe_identifier(bad)) << bad;
  }
}

TEST(AuthIdentity, FoldsAndValidatesUsernames) {
  EXPECT_EQ(canonical_username("alice"), "alice");
  EXPECT_EQ(canonical_username("Alice"), "alice");
  EXPECT_EQ(canonical_username("a.b_c9"), "a.b_c9");
  for (const char* bad : {"", "ab", "a b", "alice'--", "a;DROP TABLE users", "al/ce", "al+ce", "al#ce",
                          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 33 */, "ålice", "svc-bridge"}) {
    EXPECT_FALSE(canonical_username(bad).has_value()) << bad;
  }
}

TEST(AuthIdentity, DevicesAndMessageIds) {
  EXPECT_TRUE(is_valid_device("phone"));
  EXPECT_FALSE(is_valid_device(""));
  EXPECT_FALSE(is_valid_device("a.b"));
  EXPECT_TRUE(is_valid_message_id(std::string(64, 'x')));
  EXPECT_FALSE(is_valid_message_id(std::string(65, 'x')));
  EXPECT_FALSE(is_valid_message_id("a b"));
}

}  // namespace
}  // namespace chat::auth
