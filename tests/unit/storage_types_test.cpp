#include "chat/protocol/messages.hpp"
#include "chat/storage/types.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace chat::storage {
namespace {

TEST(RecordNames, RoundTrip) {
  for (const auto type : {MessageType::text, MessageType::image, MessageType::voice, MessageType::file,
                          MessageType::edit, MessageType::deletion, MessageType::reaction}) {
    EXPECT_EQ(parse_message_type(to_string(type)), type);
    // The contract's names (common/protocol) and the stored ones are the same words.
    EXPECT_EQ(protocol::parse_message_kind(to_string(type)).has_value(), true) << to_string(type);
    EXPECT_EQ(carries_content(type), protocol::carries_content(*protocol::parse_message_kind(to_string(type))));
  }
  EXPECT_EQ(to_string(MessageType::deletion), "delete");
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
