// The contract's identifiers (docs/protocol.md, section 1): ids, client ids
// {uid}:{device}, usernames, phones, devices, message and media ids, and the
// characters no username or client id may hold (CVE-2017-7650).
#include "chat/protocol/identifiers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace chat::protocol {
namespace {

TEST(ProtocolIdentifiers, ParsesPositiveDecimalIds) {
  EXPECT_EQ(parse_id("1"), 1);
  EXPECT_EQ(parse_id("9223372036854775807"), 9223372036854775807LL);
  for (const char* bad :
       {"", "0", "01", "-1", "+1", "1a", " 1", "1 ", "9223372036854775808", "99999999999999999999", "1.0", "0x10"}) {
    EXPECT_FALSE(parse_id(bad).has_value()) << bad;
  }
}

TEST(ProtocolIdentifiers, ParsesClientIds) {
  const auto id = parse_client_id("42:phone-1_A");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->uid, 42);
  EXPECT_EQ(id->uid_text, "42");
  EXPECT_EQ(id->device, "phone-1_A");
  for (const char* bad :
       {"", "42", "42:", ":phone", "042:phone", "0:phone", "abc:phone", "42:ph:one", "42:ph one", "42:ph/one", "42:ph+",
        "42:#", "42:phone.x", "42:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 33 */, "auto-1234"}) {
    EXPECT_FALSE(parse_client_id(bad).has_value()) << bad;
  }
}

TEST(ProtocolIdentifiers, RefusesWildcardsSlashesAndControlCharacters) {
  EXPECT_TRUE(is_safe_identifier("alice"));
  EXPECT_TRUE(is_safe_identifier("7:phone"));
  EXPECT_TRUE(is_safe_identifier("svc-bridge"));
  EXPECT_TRUE(is_safe_identifier("ünïcode"));
  for (const std::string& bad :
       {std::string(""), std::string("a+b"), std::string("#"), std::string("a/b"), std::string("a\tb"),
        std::string("a\nb"), std::string("a\x7f"), std::string("a\0b", 3), std::string("\x01")}) {
    EXPECT_FALSE(is_safe_identifier(bad)) << bad;
  }
}

TEST(ProtocolIdentifiers, FoldsAndValidatesUsernames) {
  EXPECT_EQ(canonical_username("alice"), "alice");
  EXPECT_EQ(canonical_username("Alice"), "alice");
  EXPECT_EQ(canonical_username("a.b_c9"), "a.b_c9");
  for (const char* bad : {"", "ab", "a b", "alice'--", "a;DROP TABLE users", "al/ce", "al+ce", "al#ce",
                          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 33 */, "ålice", "svc-bridge"}) {
    EXPECT_FALSE(canonical_username(bad).has_value()) << bad;
  }
}

TEST(ProtocolIdentifiers, DevicesAndMessageIds) {
  EXPECT_TRUE(is_valid_device("phone"));
  EXPECT_FALSE(is_valid_device(""));
  EXPECT_FALSE(is_valid_device("a.b"));
  EXPECT_TRUE(is_valid_message_id(std::string(64, 'x')));
  EXPECT_FALSE(is_valid_message_id(std::string(65, 'x')));
  EXPECT_FALSE(is_valid_message_id("a b"));
}

TEST(ProtocolIdentifiers, FoldUsernameLowercasesAsciiLettersOnly) {
  EXPECT_EQ(fold_username("Alice"), "alice");
  EXPECT_EQ(fold_username("BOB_99.X"), "bob_99.x");
  EXPECT_EQ(fold_username("already.lower"), "already.lower");
  EXPECT_EQ(fold_username("Ärger"), "Ärger");  // non-ASCII stays, and is then invalid
  EXPECT_EQ(fold_username(""), "");
}

TEST(ProtocolIdentifiers, UsernameFollowsTheContract) {
  EXPECT_TRUE(is_valid_username("bob"));
  EXPECT_TRUE(is_valid_username("a.b_c9"));
  EXPECT_TRUE(is_valid_username(std::string(32, 'x')));
  EXPECT_FALSE(is_valid_username("ab"));
  EXPECT_FALSE(is_valid_username(std::string(33, 'x')));
  EXPECT_FALSE(is_valid_username("Alice"));  // fold first
  EXPECT_FALSE(is_valid_username("with space"));
  EXPECT_FALSE(is_valid_username("dash-ed"));
  EXPECT_FALSE(is_valid_username("Ärger"));
  EXPECT_TRUE(is_valid_username(fold_username("Alice")));
}

TEST(ProtocolIdentifiers, PhoneAcceptsE164Only) {
  EXPECT_TRUE(is_valid_phone("+4915112345678"));
  EXPECT_TRUE(is_valid_phone("+1234567"));          // shortest: 7 digits
  EXPECT_TRUE(is_valid_phone("+123456789012345"));  // longest: 15 digits
  EXPECT_FALSE(is_valid_phone("+123456"));
  EXPECT_FALSE(is_valid_phone("+1234567890123456"));
  EXPECT_FALSE(is_valid_phone("4915112345678"));
  EXPECT_FALSE(is_valid_phone("+0151123456"));
  EXPECT_FALSE(is_valid_phone("+49 151 1234"));
  EXPECT_FALSE(is_valid_phone(""));
}

TEST(ProtocolIdentifiers, DeviceAllowsTokenCharacters) {
  EXPECT_TRUE(is_valid_device("phone-1_A"));
  EXPECT_TRUE(is_valid_device(std::string(32, 'd')));
  EXPECT_FALSE(is_valid_device(""));
  EXPECT_FALSE(is_valid_device(std::string(33, 'd')));
  EXPECT_FALSE(is_valid_device("a:b"));
  EXPECT_FALSE(is_valid_device("a/b"));
  EXPECT_FALSE(is_valid_device("+"));
}

TEST(ProtocolIdentifiers, MessageIdAllowsTokenCharactersUpTo64) {
  EXPECT_TRUE(is_valid_message_id("c-7f3a9"));
  EXPECT_TRUE(is_valid_message_id(std::string(64, 'c')));
  EXPECT_FALSE(is_valid_message_id(std::string(65, 'c')));
  EXPECT_FALSE(is_valid_message_id(""));
  EXPECT_FALSE(is_valid_message_id("c 1"));
}

TEST(ProtocolIdentifiers, TokenCharactersAreLettersDigitsUnderscoreAndHyphen) {
  for (const char c : std::string_view("azAZ09_-")) EXPECT_TRUE(is_token_char(c)) << c;
  for (const char c : std::string_view(" .:/+#\"\\\x7f")) EXPECT_FALSE(is_token_char(c)) << c;
  EXPECT_FALSE(is_token_char('\0'));
  EXPECT_FALSE(is_token_char(static_cast<char>(0xC3)));  // a UTF-8 lead byte
}

TEST(ProtocolIdentifiers, UsernamePrefixIsOneToMaxUsernameCharacters) {
  EXPECT_TRUE(is_valid_username_prefix("a"));
  EXPECT_TRUE(is_valid_username_prefix("al.ic_3"));
  EXPECT_TRUE(is_valid_username_prefix(std::string(kMaxUsernameBytes, 'a')));
  EXPECT_FALSE(is_valid_username_prefix(""));
  EXPECT_FALSE(is_valid_username_prefix(std::string(kMaxUsernameBytes + 1, 'a')));
  EXPECT_FALSE(is_valid_username_prefix("Al")) << "prefixes are folded before they are checked";
  EXPECT_FALSE(is_valid_username_prefix("a%"));
  EXPECT_FALSE(is_valid_username_prefix("a-b"));
}

TEST(ProtocolIdentifiers, MediaIdsAreMessageIdShaped) {
  EXPECT_TRUE(is_valid_media_id("m-abc_DEF"));
  EXPECT_FALSE(is_valid_media_id("../etc/passwd"));
  EXPECT_FALSE(is_valid_media_id(std::string(65, 'a')));
}

}  // namespace
}  // namespace chat::protocol
