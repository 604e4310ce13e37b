#include "chat/storage/types.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace chat::storage {
namespace {

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
