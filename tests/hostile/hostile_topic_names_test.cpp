// Topic names no client may use at all (wildcards, invalid UTF-8, NUL): a
// protocol violation, the broker closes the connection.
#include "hostile_messages.hpp"
#include "hostile_test.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace chat::hostile {
namespace {

// Topic names a client may never publish to: the broker closes the connection.
struct InvalidTopicName {
  const char* name;
  std::function<std::string(const HostileStack&, const StackUser& me)> topic;
};

class HostileTopicName : public HostileTest, public ::testing::WithParamInterface<InvalidTopicName> {};

TEST_P(HostileTopicName, ClosesTheConnection) {
  const std::string topic = GetParam().topic(stack(), stack().mallory);
  under_attack([&](int round) {
    auto mallory = connect_as(stack().mallory, "t" + std::to_string(round % 4));
    ASSERT_EQ(mallory->publish(topic, text_message("bad-topic")), RawMqttClient::kClosed) << topic;
  });
}

INSTANTIATE_TEST_SUITE_P(
    Names, HostileTopicName,
    ::testing::Values(InvalidTopicName{"WildcardInTopicName",
                                       [](const HostileStack&, const StackUser& me) { return "dm/+/msg/" + uid(me); }},
                      InvalidTopicName{"HashInTopicName", [](const HostileStack& s,
                                                             const StackUser&) { return "dm/" + uid(s.alice) + "/#"; }},
                      InvalidTopicName{"InvalidUtf8InTopicName",
                                       [](const HostileStack& s, const StackUser&) {
                                         return "dm/" + uid(s.alice) + "/msg/\xc3\x28";
                                       }},
                      InvalidTopicName{"NulInTopicName",
                                       [](const HostileStack& s, const StackUser& me) {
                                         return "dm/" + uid(s.alice) + std::string("\0/msg/", 6) + uid(me);
                                       }}),
    [](const ::testing::TestParamInfo<InvalidTopicName>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace chat::hostile
