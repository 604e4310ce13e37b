#include "chat/storage/identifiers.hpp"
#include "chat/storage/types.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chat::storage {
namespace {

TEST(FoldUsername, LowercasesAsciiLettersOnly) {
  EXPECT_EQ(fold_username("Alice"), "alice");
  EXPECT_EQ(fold_username("BOB_99.X"), "bob_99.x");
  EXPECT_EQ(fold_username("already.lower"), "already.lower");
  EXPECT_EQ(fold_username("Ärger"), "Ärger");  // non-ASCII stays, and is then invalid
  EXPECT_EQ(fold_username(""), "");
}

TEST(IsValidUsername, FollowsTheContract) {
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

TEST(IsValidPhone, AcceptsE164Only) {
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

TEST(IsValidDeviceId, AllowsTokenCharacters) {
  EXPECT_TRUE(is_valid_device_id("phone-1_A"));
  EXPECT_TRUE(is_valid_device_id(std::string(32, 'd')));
  EXPECT_FALSE(is_valid_device_id(""));
  EXPECT_FALSE(is_valid_device_id(std::string(33, 'd')));
  EXPECT_FALSE(is_valid_device_id("a:b"));
  EXPECT_FALSE(is_valid_device_id("a/b"));
  EXPECT_FALSE(is_valid_device_id("+"));
}

TEST(IsValidClientMsgId, AllowsTokenCharactersUpTo64) {
  EXPECT_TRUE(is_valid_client_msg_id("c-7f3a9"));
  EXPECT_TRUE(is_valid_client_msg_id(std::string(64, 'c')));
  EXPECT_FALSE(is_valid_client_msg_id(std::string(65, 'c')));
  EXPECT_FALSE(is_valid_client_msg_id(""));
  EXPECT_FALSE(is_valid_client_msg_id("c 1"));
}

TEST(RecordNames, RoundTrip) {
  for (const auto type : {MessageType::text, MessageType::image, MessageType::voice, MessageType::file}) {
    EXPECT_EQ(parse_message_type(to_string(type)), type);
  }
  for (const auto kind : {ChatKind::direct, ChatKind::group}) {
    EXPECT_EQ(parse_chat_kind(to_string(kind)), kind);
  }
  for (const auto role : {MemberRole::owner, MemberRole::member}) {
    EXPECT_EQ(parse_member_role(to_string(role)), role);
  }
  EXPECT_EQ(parse_message_type("video"), std::nullopt);
  EXPECT_EQ(parse_chat_kind("Direct"), std::nullopt);
}

}  // namespace
}  // namespace chat::storage
