// The contract's error codes and event names (chat/protocol/events.hpp).
#include "chat/protocol/events.hpp"

#include <gtest/gtest.h>

namespace chat::protocol {
namespace {

TEST(ProtocolEvents, ErrorCodesRoundTrip) {
  for (const ErrorCode code : {ErrorCode::bad_request, ErrorCode::forbidden, ErrorCode::not_found, ErrorCode::too_large,
                               ErrorCode::rate_limited, ErrorCode::conflict, ErrorCode::internal}) {
    EXPECT_EQ(parse_error_code(to_string(code)), code);
  }
  EXPECT_EQ(to_string(ErrorCode::rate_limited), "rate_limited");
  EXPECT_EQ(parse_error_code("busy"), std::nullopt);
  EXPECT_EQ(event::kChatAdded, "chat.added");
  EXPECT_EQ(event::kChatMuted, "chat.muted");
}

}  // namespace
}  // namespace chat::protocol
