// The contract's documented bounds (chat/protocol/limits.hpp).
#include "chat/protocol/limits.hpp"

#include <gtest/gtest.h>

namespace chat::protocol {
namespace {

TEST(ProtocolLimits, TheDocumentedBounds) {
  // docs/protocol.md names each of these; a change here is a contract change.
  EXPECT_EQ(limits::kMaxPayloadBytes, 65536u);
  EXPECT_EQ(limits::kMaxGroupMembers, 1000u);
  EXPECT_EQ(limits::kMaxReceiptRefs, 1000u);
  EXPECT_EQ(limits::kMaxHistoryLimit, 200);
  EXPECT_EQ(limits::kSyncTotal, 2000);
  EXPECT_EQ(limits::kMaxSyncCursors, 1000u);
}

}  // namespace
}  // namespace chat::protocol
