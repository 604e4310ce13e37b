// The Matrix push gateway format (POST /_matrix/push/v1/notify): the body of
// one notification to a recipient's devices, with content or event ids only,
// and the rejected pushkeys of the gateway's answer.
#include "chat/bridge/notification.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <vector>

namespace chat::bridge {
namespace {

using nlohmann::json;

storage::PendingNotification group_message() {
  storage::PendingNotification n;
  n.recipient_id = 2;
  n.sender_id = 1;
  n.sender_name = "Alice";
  n.chat_id = 5;
  n.chat_kind = storage::ChatKind::group;
  n.chat_title = "team";
  n.seq = 118;
  n.type = storage::MessageType::text;
  n.body = R"({"text":"see you at 8"})";
  n.badge = 4;
  return n;
}

std::vector<storage::PushDevice> devices() {
  storage::PushDevice phone;
  phone.user_id = 2;
  phone.device = "phone";
  phone.app_id = "com.example.chat.android";
  phone.kind = "fcm";
  phone.pushkey = "fcm-token-1";
  phone.data = R"({"default_payload":{"k":"v"}})";
  phone.pushkey_ts_ms = 1763700000999;
  return {phone};
}

TEST(BridgeMatrixPush, AFullNotification) {
  const auto body = json::parse(matrix_notification_payload(group_message(), devices(), false));
  EXPECT_EQ(body, json::parse(R"({"notification":{
      "event_id":"5:118","room_id":"5","type":"m.room.message","sender":"1","sender_display_name":"Alice",
      "room_name":"team","prio":"high","content":{"msgtype":"m.text","body":"see you at 8"},
      "counts":{"unread":4},
      "devices":[{"app_id":"com.example.chat.android","pushkey":"fcm-token-1","pushkey_ts":1763700000,
                  "data":{"default_payload":{"k":"v"}}}]}})"));
}

TEST(BridgeMatrixPush, ADirectChatHasNoRoomNameAndMediaItsMsgtype) {
  auto n = group_message();
  n.chat_kind = storage::ChatKind::direct;
  n.chat_title = "";
  n.sender_name = "";
  n.type = storage::MessageType::image;
  n.body = R"({"media":{"id":"m1"},"text":"beach"})";
  const auto notification = json::parse(matrix_notification_payload(n, devices(), false))["notification"];
  EXPECT_FALSE(notification.contains("room_name"));
  EXPECT_FALSE(notification.contains("sender_display_name"));  // none set: the gateway shows the sender
  EXPECT_EQ(notification["content"], (json{{"msgtype", "m.image"}, {"body", "[image] beach"}}));
  n.type = storage::MessageType::voice;
  EXPECT_EQ(json::parse(matrix_notification_payload(n, devices(), false))["notification"]["content"]["msgtype"],
            "m.audio");
}

TEST(BridgeMatrixPush, EventIdOnlyCarriesNoTextSenderOrChatName) {
  const std::string text = matrix_notification_payload(group_message(), devices(), true);
  const auto notification = json::parse(text)["notification"];
  EXPECT_EQ(notification, json::parse(R"({
      "event_id":"5:118","room_id":"5","prio":"high","counts":{"unread":4},
      "devices":[{"app_id":"com.example.chat.android","pushkey":"fcm-token-1","pushkey_ts":1763700000,
                  "data":{"default_payload":{"k":"v"}}}]})"));
  for (const char* leak : {"see you", "Alice", "team", "m.room.message"}) {
    EXPECT_EQ(text.find(leak), std::string::npos) << leak;
  }
}

TEST(BridgeMatrixPush, ADeviceAsksForEventIdsOnlyByItsDataFormat) {
  auto d = devices();
  EXPECT_FALSE(wants_event_id_only(d[0]));
  d[0].data = R"({"format":"event_id_only"})";
  EXPECT_TRUE(wants_event_id_only(d[0]));
  d[0].data = "not json";
  EXPECT_FALSE(wants_event_id_only(d[0]));
}

TEST(BridgeMatrixPush, RejectedPushkeysOfTheAnswer) {
  EXPECT_EQ(rejected_pushkeys(R"({"rejected":["a","b"]})"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(rejected_pushkeys(R"({"rejected":[]})").empty());
  EXPECT_TRUE(rejected_pushkeys("").empty());  // a 2xx without a body
  EXPECT_TRUE(rejected_pushkeys("not json").empty());
  EXPECT_TRUE(rejected_pushkeys(R"({"rejected":"a"})").empty());
  EXPECT_EQ(rejected_pushkeys(R"({"rejected":["a",7,null]})"), std::vector<std::string>{"a"});
  // Nested deeper than a client may nest: refused, not walked.
  EXPECT_TRUE(rejected_pushkeys(R"({"rejected":)" + std::string(100, '[') + std::string(100, ']') + "}").empty());
}

}  // namespace
}  // namespace chat::bridge
