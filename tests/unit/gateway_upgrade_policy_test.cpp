// Which upgrade requests the gateway accepts, and why it refuses the others.
#include "chat/gateway/upgrade_policy.hpp"

#include <gtest/gtest.h>

namespace chat::gateway {
namespace {

TEST(GatewayUpgradePolicy, SubprotocolIsMqttOrMqttv31InTheClientsOrder) {
  EXPECT_EQ(choose_subprotocol("mqtt"), "mqtt");
  EXPECT_EQ(choose_subprotocol("mqttv3.1"), "mqttv3.1");
  EXPECT_EQ(choose_subprotocol("binary, mqttv3.1, mqtt"), "mqttv3.1");
  EXPECT_EQ(choose_subprotocol(" mqtt ,binary"), "mqtt");
  EXPECT_EQ(choose_subprotocol(""), std::nullopt);
  EXPECT_EQ(choose_subprotocol("binary"), std::nullopt) << "websockify's subprotocol";
  EXPECT_EQ(choose_subprotocol("MQTT"), std::nullopt) << "subprotocol names are case-sensitive";
  EXPECT_EQ(choose_subprotocol("mqttx,xmqtt"), std::nullopt);
}

TEST(GatewayUpgradePolicy, ListedOriginsAndRequestsWithoutOneGoThrough) {
  const auto allowed = parse_origin_list("http://127.0.0.1:8080, http://localhost:8080  https://chat.example");
  ASSERT_EQ(allowed.size(), 3u);
  EXPECT_TRUE(origin_allowed(allowed, std::nullopt)) << "not a browser";
  EXPECT_TRUE(origin_allowed(allowed, "http://127.0.0.1:8080"));
  EXPECT_TRUE(origin_allowed(allowed, "HTTPS://Chat.Example/"));
  EXPECT_FALSE(origin_allowed(allowed, "http://127.0.0.1:8081"));
  EXPECT_FALSE(origin_allowed(allowed, "https://chat.example.evil"));
  EXPECT_FALSE(origin_allowed(allowed, "null")) << "a sandboxed or file: page";
  EXPECT_FALSE(origin_allowed({}, "http://127.0.0.1:8080")) << "an empty list lets no browser in";
  EXPECT_TRUE(origin_allowed({"*"}, "https://anything.example"));
}

TEST(GatewayUpgradePolicy, PathIsMqttOrRootOnly) {
  EXPECT_TRUE(path_served("/mqtt"));
  EXPECT_TRUE(path_served("/"));
  EXPECT_TRUE(path_served("/mqtt?x=1"));
  EXPECT_FALSE(path_served("/mqtt/"));
  EXPECT_FALSE(path_served("/app"));
  EXPECT_FALSE(path_served(""));
}

TEST(GatewayUpgradePolicy, VerdictsInOrder) {
  const std::vector<std::string> allowed = {"http://app.test"};
  UpgradeRequest good{"/mqtt", true, std::string("http://app.test"), std::string("mqtt")};
  const auto accepted = evaluate_upgrade(good, allowed);
  EXPECT_TRUE(accepted.accepted());
  EXPECT_EQ(accepted.subprotocol, "mqtt");

  auto with = [&](auto change) {
    UpgradeRequest request = good;
    change(request);
    return evaluate_upgrade(request, allowed);
  };
  EXPECT_EQ(with([](UpgradeRequest& r) { r.target = "/x"; }).status, 404);
  EXPECT_EQ(with([](UpgradeRequest& r) { r.is_websocket_upgrade = false; }).status, 426);
  EXPECT_EQ(with([](UpgradeRequest& r) { r.origin = "http://evil.test"; }).status, 403);
  EXPECT_EQ(with([](UpgradeRequest& r) { r.subprotocols.reset(); }).status, 400);
  const auto refused = with([](UpgradeRequest& r) { r.subprotocols = "binary"; });
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.reason, "subprotocol");
  EXPECT_NE(refused.message.find("mqtt"), std::string::npos) << "the refusal says what to offer";
}

}  // namespace
}  // namespace chat::gateway
