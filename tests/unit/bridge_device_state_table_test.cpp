// Device states waiting to be stored: the latest per device, in the order
// devices first changed, bounded, and never a wait for the one who puts.
#include "chat/bridge/device_state_table.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace chat::bridge {
namespace {

using namespace std::chrono_literals;

storage::DeviceState state(std::int64_t uid, const std::string& device, bool online) {
  return storage::DeviceState{uid, device, online};
}

TEST(BridgeDeviceStateTable, KeepsTheLatestStatePerDeviceInFirstChangeOrder) {
  DeviceStateTable table(10);
  EXPECT_TRUE(table.put(state(1, "phone", true)));
  EXPECT_TRUE(table.put(state(2, "phone", true)));
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(table.put(state(1, "phone", i % 2 == 0)));
  EXPECT_TRUE(table.put(state(1, "laptop", true)));
  EXPECT_EQ(table.size(), 3u);
  const auto taken = table.take(10, 0ms);
  ASSERT_EQ(taken.size(), 3u);
  EXPECT_EQ(taken[0].user_id, 1);
  EXPECT_EQ(taken[0].device, "phone");
  EXPECT_FALSE(taken[0].online) << "the last of the thousand";
  EXPECT_EQ(taken[1].user_id, 2);
  EXPECT_EQ(taken[2].device, "laptop");
  EXPECT_EQ(table.size(), 0u);
}

TEST(BridgeDeviceStateTable, AFullTableRefusesNewDevicesButUpdatesKnownOnes) {
  DeviceStateTable table(2);
  EXPECT_TRUE(table.put(state(1, "a", true)));
  EXPECT_TRUE(table.put(state(1, "b", true)));
  EXPECT_FALSE(table.put(state(1, "c", true)));
  EXPECT_TRUE(table.put(state(1, "a", false)));
  const auto taken = table.take(1, 0ms);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].device, "a");
  EXPECT_FALSE(taken[0].online);
  EXPECT_TRUE(table.put(state(1, "c", true))) << "room again after a take";
}

TEST(BridgeDeviceStateTable, TakeWaitsForAStateAndCloseEndsIt) {
  DeviceStateTable table(4);
  EXPECT_TRUE(table.take(4, 0ms).empty());
  std::thread putter([&] { table.put(state(3, "x", true)); });
  const auto taken = table.take(4, 10s);
  putter.join();
  ASSERT_EQ(taken.size(), 1u);
  table.put(state(3, "y", true));
  table.close();
  EXPECT_FALSE(table.put(state(3, "z", true)));
  EXPECT_TRUE(table.closed());
  EXPECT_EQ(table.take(4, 10s).size(), 1u) << "what was in stays takeable";
  EXPECT_TRUE(table.take(4, 10s).empty()) << "closed and empty: no wait";
}

}  // namespace
}  // namespace chat::bridge
