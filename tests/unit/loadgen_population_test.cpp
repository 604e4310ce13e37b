// chat-loadgen's core, no broker, no network. The population: clients, groups, recipients and the picker.
#include "chat/loadgen/population.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace chat::loadgen {
namespace {

TEST(LoadgenPopulation, ClientsGroupsAndRecipients) {
  const Population p(
      PopulationShape{.users = 5, .devices = 2, .groups = 3, .group_size = 3, .uid_base = 100, .chat_base = 40});
  EXPECT_EQ(p.clients(), 10U);
  EXPECT_EQ(p.client_id(3), "101:d1");
  EXPECT_EQ(p.user_of(3), 1U);
  EXPECT_EQ(p.device_of(3), 1U);
  EXPECT_EQ(p.client(4, 1), 9U);
  std::uint32_t user = 0;
  EXPECT_TRUE(p.user_index(104, user));
  EXPECT_EQ(user, 4U);
  EXPECT_FALSE(p.user_index(105, user));
  EXPECT_FALSE(p.user_index(99, user));
  std::uint32_t group = 0;
  EXPECT_TRUE(p.group_index(42, group));
  EXPECT_EQ(group, 2U);
  EXPECT_FALSE(p.group_index(43, group));
  // Group g: users (g*3 + j) mod 5.
  EXPECT_EQ(p.members(0), (std::vector<std::uint32_t>{0, 1, 2}));
  EXPECT_EQ(p.members(1), (std::vector<std::uint32_t>{0, 3, 4}));
  EXPECT_EQ(p.members(2), (std::vector<std::uint32_t>{1, 2, 3}));
  EXPECT_EQ(p.groups_of(0), (std::vector<std::uint32_t>{0, 1}));
  // A dm reaches both devices of the user; a group every device of every member.
  const auto dm = p.recipients(p.direct_to(2));
  EXPECT_EQ(std::vector<std::uint32_t>(dm.begin(), dm.end()), (std::vector<std::uint32_t>{4, 5}));
  const auto g = p.recipients(p.group_dest(1));
  EXPECT_EQ(std::vector<std::uint32_t>(g.begin(), g.end()), (std::vector<std::uint32_t>{0, 1, 6, 7, 8, 9}));
  EXPECT_EQ(p.topic(p.direct_to(2), 0), "dm/102/msg/100");
  EXPECT_EQ(p.topic(p.group_dest(1), 3), "g/41/msg/103");
  EXPECT_EQ(p.subscriptions(1), (std::vector<std::string>{"dm/100/#", "g/40/#", "g/41/#"}));
}

TEST(LoadgenPopulation, RefusesImpossibleShapes) {
  EXPECT_THROW(Population(PopulationShape{.users = 0}), std::invalid_argument);
  EXPECT_THROW(Population(PopulationShape{.users = 2, .devices = 0}), std::invalid_argument);
  EXPECT_THROW(Population(PopulationShape{.users = 2, .groups = 1, .group_size = 3}), std::invalid_argument);
  EXPECT_THROW(Population(PopulationShape{.users = 2, .groups = 1, .group_size = 0}), std::invalid_argument);
  EXPECT_THROW(Population(PopulationShape{.users = 1U << 20, .devices = 2}), std::invalid_argument);
  EXPECT_THROW(Population(PopulationShape{.users = 2, .uid_base = 0}), std::invalid_argument);
}

TEST(LoadgenPopulation, PickerNeverWritesToItselfAndHonoursTheGroupShare) {
  const Population p(PopulationShape{.users = 4, .groups = 2, .group_size = 2});
  DestinationPicker dms(p, 0.0, 7);
  DestinationPicker groups(p, 1.0, 7);
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 2000; ++i) {
    std::uint32_t dest = 0;
    ASSERT_TRUE(dms.pick(1, dest));
    EXPECT_FALSE(p.is_group(dest));
    EXPECT_NE(dest, p.direct_to(1));
    seen.insert(dest);
    ASSERT_TRUE(groups.pick(1, dest));  // user 1 is in group 0 only
    EXPECT_EQ(dest, p.group_dest(0));
  }
  EXPECT_EQ(seen, (std::set<std::uint32_t>{0, 2, 3}));  // every other user, uniformly enough to see all

  DestinationPicker a(p, 0.5, 42);
  DestinationPicker b(p, 0.5, 42);
  for (int i = 0; i < 100; ++i) {
    std::uint32_t da = 0;
    std::uint32_t db = 0;
    ASSERT_TRUE(a.pick(0, da));
    ASSERT_TRUE(b.pick(0, db));
    EXPECT_EQ(da, db);  // deterministic for a seed
  }

  const Population alone(PopulationShape{.users = 1, .groups = 1, .group_size = 1});
  DestinationPicker only_group(alone, 0.0, 1);
  std::uint32_t dest = 0;
  ASSERT_TRUE(only_group.pick(0, dest));
  EXPECT_EQ(dest, alone.group_dest(0));
  const Population nobody(PopulationShape{.users = 1});
  DestinationPicker none(nobody, 0.0, 1);
  EXPECT_FALSE(none.pick(0, dest));
}

}  // namespace
}  // namespace chat::loadgen
