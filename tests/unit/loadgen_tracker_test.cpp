// chat-loadgen's core, no broker, no network. Delivery accounting: firsts, duplicates, losses, unexpected copies.
#include "chat/loadgen/tracker.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <vector>

namespace chat::loadgen {
namespace {

// Destinations of the tests: 0 -> client 1; 1 -> clients 0, 1, 2 (a group); 2 -> nobody.
std::span<const std::uint32_t> test_recipients(std::uint32_t dest) {
  static const std::vector<std::uint32_t> direct{1};
  static const std::vector<std::uint32_t> group{0, 1, 2};
  static const std::vector<std::uint32_t> none;
  return dest == 0   ? std::span<const std::uint32_t>(direct)
         : dest == 1 ? std::span<const std::uint32_t>(group)
                     : std::span<const std::uint32_t>(none);
}

TEST(LoadgenTracker, CountsFirstsDuplicatesAndLosses) {
  DeliveryTracker t(test_recipients);
  EXPECT_EQ(t.sent(0, 0, 0), 1U);  // client 0 -> client 1
  EXPECT_EQ(t.sent(0, 1, 1), 3U);  // client 0 -> group
  EXPECT_EQ(t.sent(0, 1, 1), 0U);  // recorded once
  EXPECT_EQ(t.expected(), 4U);
  EXPECT_EQ(t.received(1, 0, 0), Delivery::first);
  EXPECT_EQ(t.received(1, 0, 0), Delivery::duplicate);  // a resend seen twice
  EXPECT_EQ(t.received(0, 0, 1), Delivery::first);      // the sender's own device (group echo)
  EXPECT_EQ(t.received(2, 0, 1), Delivery::first);
  // client 1 never gets message 1
  std::vector<DeliveryTracker::Lost> lost;
  const auto c = t.reconcile(&lost);
  EXPECT_EQ(c.messages, 2U);
  EXPECT_EQ(c.expected, 4U);
  EXPECT_EQ(c.delivered, 3U);
  EXPECT_EQ(c.lost, 1U);
  EXPECT_EQ(c.duplicates, 1U);
  EXPECT_EQ(c.unexpected, 0U);
  ASSERT_EQ(lost.size(), 1U);
  EXPECT_EQ(lost[0].sender, 0U);
  EXPECT_EQ(lost[0].n, 1U);
  EXPECT_EQ(lost[0].receiver, 1U);
}

// --no-local: the sending client expects no copy of its own group message, the
// other members do; a copy that comes anyway is unexpected, not lost.
TEST(LoadgenTracker, NoLocalLeavesTheSenderOut) {
  DeliveryTracker t(test_recipients, /*no_local=*/true);
  EXPECT_EQ(t.sent(0, 0, 1), 2U);  // client 0 -> group {0, 1, 2}: clients 1 and 2
  EXPECT_EQ(t.sent(1, 0, 0), 0U);  // client 1 -> client 1 (a direct message to itself)
  EXPECT_EQ(t.received(1, 0, 0), Delivery::first);
  auto c = t.reconcile();
  EXPECT_EQ(c.expected, 2U);
  EXPECT_EQ(c.delivered, 1U);
  EXPECT_EQ(c.lost, 1U);  // client 2
  EXPECT_EQ(t.received(2, 0, 0), Delivery::first);
  EXPECT_EQ(t.received(0, 0, 0), Delivery::first);  // the broker ignored No Local
  c = t.reconcile();
  EXPECT_EQ(c.lost, 0U);
  EXPECT_EQ(c.unexpected, 1U);
}

TEST(LoadgenTracker, UnknownAndUnexpectedDeliveriesAreSeparate) {
  DeliveryTracker t(test_recipients);
  t.sent(3, 0, 0);
  EXPECT_EQ(t.received(1, 3, 5), Delivery::unknown);  // never sent
  EXPECT_EQ(t.received(1, 9, 0), Delivery::unknown);  // unknown sender
  EXPECT_EQ(t.received(2, 3, 0), Delivery::first);    // client 2 is no recipient of a dm to 1
  EXPECT_EQ(t.received(1, 3, 0), Delivery::first);
  const auto c = t.reconcile();
  EXPECT_EQ(c.unknown, 2U);
  EXPECT_EQ(c.unexpected, 1U);
  EXPECT_EQ(c.delivered, 1U);
  EXPECT_EQ(c.lost, 0U);
}

TEST(LoadgenTracker, ManyMessagesOutOfOrderAcrossBitmapWords) {
  DeliveryTracker t(test_recipients);
  const std::uint64_t total = 10000;
  for (std::uint64_t n = 0; n < total; ++n) t.sent(5, n, 0);
  // Reverse order, every 97th lost, every 13th twice.
  for (std::uint64_t n = total; n-- > 0;) {
    if (n % 97 == 0) continue;
    EXPECT_EQ(t.received(1, 5, n), Delivery::first);
    if (n % 13 == 0) {
      EXPECT_EQ(t.received(1, 5, n), Delivery::duplicate);
    }
  }
  const auto c = t.reconcile();
  const std::uint64_t lost = (total + 96) / 97;
  std::uint64_t dups = 0;
  for (std::uint64_t n = 0; n < total; ++n) {
    if (n % 13 == 0 && n % 97 != 0) ++dups;
  }
  EXPECT_EQ(c.expected, total);
  EXPECT_EQ(c.lost, lost);
  EXPECT_EQ(c.delivered, total - lost);
  EXPECT_EQ(c.duplicates, dups);
  EXPECT_EQ(t.firsts(), total - lost);
}

TEST(LoadgenTracker, DestinationWithoutRecipientsExpectsNothing) {
  DeliveryTracker t(test_recipients);
  EXPECT_EQ(t.sent(0, 0, 2), 0U);
  EXPECT_EQ(t.reconcile().expected, 0U);
  EXPECT_EQ(t.reconcile().messages, 1U);
}

}  // namespace
}  // namespace chat::loadgen
