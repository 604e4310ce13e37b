// Subscribing to what is not yours in MQTT 3.1.1 and by the thousand in one
// SUBSCRIBE: every filter refused, none granted. (Each forbidden filter on its
// own: hostile_subscribe_filters_test.cpp.)
#include "hostile_test.hpp"

namespace chat::hostile {
namespace {

// MQTT 3.1.1 has no reason codes: its SUBACK failure is 0x80.
TEST_F(HostileTest, SubscribeEverythingInMqtt311) {
  auto mallory = connect_as(stack().mallory, "old", 4);
  under_attack([&](int) { ASSERT_EQ(mallory->subscribe("#"), kSubscribeFailure311); });
}

// Thousands of filters in one SUBSCRIBE, all refused, none granted.
TEST_F(HostileTest, SubscribeFloodOfForbiddenFilters) {
  auto mallory = connect_as(stack().mallory);
  std::vector<std::string> filters;
  for (int i = 1; i <= 2000; ++i) filters.push_back("dm/" + std::to_string(i * 7919) + "/#");
  under_attack([&](int round) {
    const auto codes = mallory->subscribe(filters);
    ASSERT_EQ(codes.size(), filters.size()) << "round " << round;
    for (const int code : codes) ASSERT_EQ(code, kNotAuthorized);
  });
}

}  // namespace
}  // namespace chat::hostile
