// Subscribing to what is not yours: wildcards, $SYS, $share (the bridge's own
// group among them), other users' inboxes, events, requests and groups.
// Each filter is refused in its SUBACK; the connection stays usable.
#include "hostile_messages.hpp"
#include "hostile_test.hpp"

#include <functional>
#include <string>

namespace chat::hostile {
namespace {

struct ForbiddenFilter {
  const char* name;
  std::function<std::string(const HostileStack&)> filter;
};

class HostileSubscribe : public HostileTest, public ::testing::WithParamInterface<ForbiddenFilter> {};

TEST_P(HostileSubscribe, IsRefusedInTheSuback) {
  const std::string filter = GetParam().filter(stack());
  auto mallory = connect_as(stack().mallory);
  under_attack([&](int round) {
    ASSERT_EQ(mallory->subscribe(filter), kNotAuthorized) << filter << " (round " << round << ")";
  });
  EXPECT_EQ(mallory->subscribe("dm/" + stack().mallory.uid() + "/#"), 1) << "her own inbox is still granted";
}

INSTANTIATE_TEST_SUITE_P(
    Filters, HostileSubscribe,
    ::testing::Values(
        ForbiddenFilter{"Everything", [](const HostileStack&) { return "#"; }},
        ForbiddenFilter{"EverythingBelowAnyFirstLevel", [](const HostileStack&) { return "+/#"; }},
        ForbiddenFilter{"Sys", [](const HostileStack&) { return "$SYS/#"; }},
        ForbiddenFilter{"PluginStats", [](const HostileStack&) { return "$SYS/broker/chat-auth/stats"; }},
        ForbiddenFilter{"BridgeShareGroup", [](const HostileStack&) { return "$share/bridge/dm/+/msg/+"; }},
        ForbiddenFilter{"OwnShareGroupOfAllMessages", [](const HostileStack&) { return "$share/evil/g/+/msg/+"; }},
        ForbiddenFilter{"ShareOfOwnInbox",
                        [](const HostileStack& s) { return "$share/evil/dm/" + uid(s.mallory) + "/#"; }},
        ForbiddenFilter{"AnotherUsersInbox", [](const HostileStack& s) { return "dm/" + uid(s.alice) + "/#"; }},
        ForbiddenFilter{"EveryonesDirectMessages", [](const HostileStack&) { return "dm/+/msg/+"; }},
        ForbiddenFilter{"AnotherUsersEvents", [](const HostileStack& s) { return "u/" + uid(s.alice) + "/ev"; }},
        ForbiddenFilter{"EveryonesAnswers", [](const HostileStack&) { return "u/+/rsp/+"; }},
        ForbiddenFilter{"EveryonesRequests", [](const HostileStack&) { return "req/+/+"; }},
        ForbiddenFilter{"EveryonesDeviceStates", [](const HostileStack&) { return "st/+/+"; }},
        ForbiddenFilter{"AGroupSheIsNotIn",
                        [](const HostileStack& s) { return "g/" + std::to_string(s.closed_group) + "/#"; }},
        ForbiddenFilter{"EveryGroup", [](const HostileStack&) { return "g/+/msg/+"; }},
        ForbiddenFilter{"LeadingZeroUid", [](const HostileStack& s) { return "dm/0" + uid(s.mallory) + "/#"; }},
        ForbiddenFilter{"EmptyLevel", [](const HostileStack&) { return "dm//msg/+"; }},
        ForbiddenFilter{"UpperCaseLevel", [](const HostileStack& s) { return "DM/" + uid(s.mallory) + "/#"; }},
        ForbiddenFilter{"SqlInTheUidLevel", [](const HostileStack&) { return "dm/1 OR 1=1/#"; }}),
    [](const ::testing::TestParamInfo<ForbiddenFilter>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace chat::hostile
