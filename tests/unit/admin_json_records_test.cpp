// chat-admin's JSON records (chat/admin/json_records.hpp): messages as the
// contract shows them, pages, media kinds.
#include "chat/admin/json_records.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>

namespace chat::admin {
namespace {

TEST(AdminRecords, MessagesFollowTheContract) {
  storage::StoredMessage message;
  message.chat_id = 7;
  message.seq = 3;
  message.sender_id = 12;
  message.client_msg_id = "c-1";
  message.type = storage::MessageType::image;
  message.body = R"({"text":"caption","media":{"id":"m-1","mime":"image/png","size":5},"seq":999})";
  message.created_at_ms = 1700000000000;
  nlohmann::json json = message_json(message);
  EXPECT_EQ(json["chat"], 7);
  EXPECT_EQ(json["seq"], 3);  // a body field never overrides the record's own
  EXPECT_EQ(json["from"], 12);
  EXPECT_EQ(json["id"], "c-1");
  EXPECT_EQ(json["type"], "image");
  EXPECT_EQ(json["text"], "caption");
  EXPECT_EQ(json["media"]["id"], "m-1");
  EXPECT_EQ(json["ts"], 1700000000000);
  EXPECT_FALSE(json.contains("deleted"));

  message.deleted_at_ms = 1700000000500;
  message.body = "{}";
  json = message_json(message);
  EXPECT_EQ(json["deleted"], true);
  EXPECT_EQ(json["deleted_at"], 1700000000500);
  EXPECT_FALSE(json.contains("type"));
  EXPECT_FALSE(json.contains("text"));
  EXPECT_EQ(json["seq"], 3);

  EXPECT_EQ(page_json(nlohmann::json::array(), std::nullopt)["next"], nullptr);
  EXPECT_EQ(page_json(nlohmann::json::array(), "abc")["next"], "abc");
  EXPECT_EQ(kind_of_mime("audio/ogg"), MediaKind::voice);
  EXPECT_EQ(kind_of_mime("application/pdf"), MediaKind::file);
}

}  // namespace
}  // namespace chat::admin
