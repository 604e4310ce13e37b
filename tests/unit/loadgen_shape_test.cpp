// chat-loadgen's core, no broker, no network. The traffic shapes: hot pairs, the crowd, fan-out.
#include "chat/loadgen/shape.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace chat::loadgen {
namespace {

TEST(LoadgenShape, HotPairsWriteOnlyToTheirPartner) {
  const auto r = parse_options({"--mode", "plain", "--shape", "pairs", "--pairs", "3"});
  ASSERT_EQ(r.error, "");
  const auto t = traffic_of(r.options);
  EXPECT_EQ(t.population.users, 6U);
  EXPECT_EQ(t.senders, 3U);
  const Population pop(t.population);
  DestinationPicker picker(pop, t.group_share, 1, t.paired);
  for (std::uint32_t u = 0; u < 3; ++u) {
    std::uint32_t dest = 0;
    ASSERT_TRUE(picker.pick(u, dest));
    EXPECT_EQ(dest, pop.direct_to(u + 3));
  }
}

TEST(LoadgenShape, CrowdGroupsOfFiveToFiftyCoverEveryUser) {
  const auto r = parse_options({"--mode", "platform", "--shape", "crowd"});
  ASSERT_EQ(r.error, "");
  const auto t = traffic_of(r.options);
  EXPECT_EQ(t.population.users, 2000U);
  EXPECT_EQ(t.population.devices, 1U);
  EXPECT_DOUBLE_EQ(t.group_share, 0.3);
  const Population pop(t.population);
  std::uint32_t covered = 0;
  for (std::uint32_t g = 0; g < pop.groups(); ++g) {
    EXPECT_GE(pop.members(g).size(), 5U);
    EXPECT_LE(pop.members(g).size(), 50U);
    covered += static_cast<std::uint32_t>(pop.members(g).size());
  }
  EXPECT_EQ(covered, 2000U);
  for (std::uint32_t u = 0; u < 2000; ++u) EXPECT_EQ(pop.groups_of(u).size(), 1U) << u;
  // 70 % direct, 30 % group, over many picks.
  DestinationPicker picker(pop, t.group_share, 7);
  int groups = 0;
  for (int i = 0; i < 10000; ++i) {
    std::uint32_t dest = 0;
    ASSERT_TRUE(picker.pick(static_cast<std::uint32_t>(i % 2000), dest));
    groups += pop.is_group(dest) ? 1 : 0;
  }
  EXPECT_NEAR(groups / 10000.0, 0.3, 0.03);
}

TEST(LoadgenShape, FanOutIsOneSenderToOneGroupOfTwoHundred) {
  const auto r = parse_options({"--mode", "plain", "--shape", "fanout"});
  ASSERT_EQ(r.error, "");
  const auto t = traffic_of(r.options);
  EXPECT_EQ(t.population.users, 200U);
  EXPECT_EQ(t.senders, 1U);
  EXPECT_DOUBLE_EQ(t.group_share, 1.0);
  const Population pop(t.population);
  ASSERT_EQ(pop.groups(), 1U);
  EXPECT_EQ(pop.recipients(pop.group_dest(0)).size(), 200U);
}

}  // namespace
}  // namespace chat::loadgen
