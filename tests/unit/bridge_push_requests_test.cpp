// The push ops' arguments (docs/protocol.md, "Conversation features: push"):
// device.register, device.unregister and chat.mute, each field checked and
// bounded before anything reaches the database.
#include "chat/bridge/requests.hpp"
#include "chat/protocol/push.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace chat::bridge {
namespace {

using nlohmann::json;
constexpr std::size_t kMax = 65536;

std::string request(const std::string& op, const json& args) {
  return json{{"id", "r1"}, {"op", op}, {"args", args}}.dump();
}

json registration() {
  return {{"device", "phone"},
          {"app_id", "com.example.chat.ios"},
          {"kind", "apns"},
          {"pushkey", "3fa9c0ffee"},
          {"data", {{"default_payload", {{"aps", {{"mutable-content", 1}}}}}}}};
}

TEST(BridgePushRequests, ReadsDeviceRegister) {
  const auto result = parse_request(request("device.register", registration()), kMax);
  ASSERT_TRUE(std::holds_alternative<Request>(result)) << std::get<RequestFailure>(result).error.message;
  const auto& r = std::get<Request>(result);
  EXPECT_EQ(r.op, Op::device_register);
  const auto& args = std::get<DeviceRegisterArgs>(r.args);
  EXPECT_EQ(args.device, "phone");
  EXPECT_EQ(args.app_id, "com.example.chat.ios");
  EXPECT_EQ(args.kind, "apns");
  EXPECT_EQ(args.pushkey, "3fa9c0ffee");
  EXPECT_EQ(json::parse(args.data), registration()["data"]);
}

TEST(BridgePushRequests, DataIsOptionalAndLosesAMatrixClientsGatewayUrl) {
  json args = registration();
  args.erase("data");
  const auto plain = parse_request(request("device.register", args), kMax);
  ASSERT_TRUE(std::holds_alternative<Request>(plain));
  EXPECT_EQ(std::get<DeviceRegisterArgs>(std::get<Request>(plain).args).data, "{}");

  args["data"] = {{"url", "https://push.example.org/_matrix/push/v1/notify"}, {"format", "event_id_only"}};
  const auto with_url = parse_request(request("device.register", args), kMax);
  ASSERT_TRUE(std::holds_alternative<Request>(with_url));
  EXPECT_EQ(json::parse(std::get<DeviceRegisterArgs>(std::get<Request>(with_url).args).data),
            (json{{"format", "event_id_only"}}));
}

TEST(BridgePushRequests, RefusesEveryBadField) {
  namespace push = protocol::push;
  const auto with = [](const char* key, const json& value) {
    json args = registration();
    args[key] = value;
    return args;
  };
  const auto without = [](const char* key) {
    json args = registration();
    args.erase(key);
    return args;
  };
  const std::pair<std::string, json> cases[] = {
      {"device.register", without("device")},
      {"device.register", without("app_id")},
      {"device.register", without("kind")},
      {"device.register", without("pushkey")},
      {"device.register", with("device", "")},
      {"device.register", with("device", "ph one")},
      {"device.register", with("device", std::string(33, 'd'))},
      {"device.register", with("device", 7)},
      {"device.register", with("app_id", "")},
      {"device.register", with("app_id", "com/example")},
      {"device.register", with("app_id", std::string(push::kMaxAppIdBytes + 1, 'a'))},
      {"device.register", with("kind", "gcm")},
      {"device.register", with("kind", "APNS")},
      {"device.register", with("pushkey", "")},
      {"device.register", with("pushkey", "two words")},
      {"device.register", with("pushkey", "line\nbreak")},
      {"device.register", with("pushkey", "\xC3\xA9")},
      {"device.register", with("pushkey", std::string(push::kMaxPushkeyBytes + 1, 'k'))},
      {"device.register", with("data", "{}")},
      {"device.register", with("data", json::array())},
      {"device.register", with("data", {{"format", "full"}})},
      {"device.register", with("data", {{"default_payload", std::string(push::kMaxDataBytes, 'x')}})},
      {"device.register", with("extra", 1)},
      {"device.unregister", json::object()},
      {"device.unregister", {{"device", "a/b"}}},
      {"device.unregister", {{"device", "phone"}, {"app_id", "x"}}},
      {"chat.mute", {{"chat", 5}}},
      {"chat.mute", {{"until", 0}}},
      {"chat.mute", {{"chat", 5}, {"until", -1}}},
      {"chat.mute", {{"chat", 5}, {"until", "1h"}}},
      {"chat.mute", {{"chat", 5}, {"until", 1.5}}},
      {"chat.mute", {{"chat", 5}, {"until", 253402300800000}}},
      {"chat.mute", {{"chat", 0}, {"until", 0}}},
  };
  for (const auto& [op, args] : cases) {
    const auto result = parse_request(request(op, args), kMax);
    ASSERT_TRUE(std::holds_alternative<RequestFailure>(result)) << op << " " << args.dump().substr(0, 120);
    const auto& failure = std::get<RequestFailure>(result);
    EXPECT_EQ(failure.error.code, RequestErrorCode::bad_request) << op;
    EXPECT_EQ(failure.id, "r1");
    EXPECT_FALSE(failure.error.message.empty());
  }
  // At the bounds: accepted.
  json longest = registration();
  longest["device"] = std::string(32, 'd');
  longest["app_id"] = std::string(push::kMaxAppIdBytes, 'a');
  longest["pushkey"] = std::string(push::kMaxPushkeyBytes, '~');
  EXPECT_TRUE(std::holds_alternative<Request>(parse_request(request("device.register", longest), kMax)));
}

TEST(BridgePushRequests, ReadsUnregisterAndMute) {
  const auto unregister = parse_request(request("device.unregister", {{"device", "phone"}}), kMax);
  ASSERT_TRUE(std::holds_alternative<Request>(unregister));
  EXPECT_EQ(std::get<DeviceUnregisterArgs>(std::get<Request>(unregister).args).device, "phone");

  const auto mute = parse_request(request("chat.mute", {{"chat", 5}, {"until", 1763700000000}}), kMax);
  ASSERT_TRUE(std::holds_alternative<Request>(mute));
  EXPECT_EQ(std::get<Request>(mute).op, Op::chat_mute);
  EXPECT_EQ(std::get<ChatMuteArgs>(std::get<Request>(mute).args).chat, 5);
  EXPECT_EQ(std::get<ChatMuteArgs>(std::get<Request>(mute).args).until, 1763700000000);

  const auto unmute = parse_request(request("chat.mute", {{"chat", 5}, {"until", 0}}), kMax);
  ASSERT_TRUE(std::holds_alternative<Request>(unmute));
  EXPECT_EQ(std::get<ChatMuteArgs>(std::get<Request>(unmute).args).until, 0);
}

}  // namespace
}  // namespace chat::bridge
