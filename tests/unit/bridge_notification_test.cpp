#include "chat/bridge/notification.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace chat::bridge {
namespace {

using storage::MessageType;

TEST(BridgeNotification, TextPreviewsAreCutByCharactersNotBytes) {
  EXPECT_EQ(message_preview(MessageType::text, R"({"text":"hello"})"), "hello");
  EXPECT_EQ(message_preview(MessageType::text, R"({"text":"line one\n\n  line two"})"), "line one line two");
  const std::string long_text(150, 'a');
  const auto cut = message_preview(MessageType::text, R"({"text":")" + long_text + R"("})");
  EXPECT_EQ(cut, std::string(100, 'a') + "\xE2\x80\xA6");
  // 150 two-byte characters: 100 of them, never half of one.
  std::string umlauts;
  for (int i = 0; i < 150; ++i) umlauts += "\xC3\xA4";
  const auto cut_umlauts = message_preview(MessageType::text, nlohmann::json{{"text", umlauts}}.dump());
  EXPECT_EQ(cut_umlauts, umlauts.substr(0, 200) + "\xE2\x80\xA6");
  EXPECT_EQ(message_preview(MessageType::text, R"({"text":"hello"})", 3), "hel\xE2\x80\xA6");
}

TEST(BridgeNotification, MediaPreviews) {
  EXPECT_EQ(message_preview(MessageType::image, R"({"media":{"id":"m"}})"), "[image]");
  EXPECT_EQ(message_preview(MessageType::image, R"({"media":{"id":"m"},"text":"at the beach"})"),
            "[image] at the beach");
  EXPECT_EQ(message_preview(MessageType::voice, R"({"media":{}})"), "[voice]");
  EXPECT_EQ(message_preview(MessageType::file, R"({"media":{}})"), "[file]");
  EXPECT_EQ(message_preview(MessageType::text, "{}"), "");  // deleted by moderation
  EXPECT_EQ(message_preview(MessageType::text, "not json"), "");
}

TEST(BridgeNotification, WebhookPayload) {
  storage::PendingNotification n;
  n.id = 9;
  n.recipient_id = 2;
  n.sender_id = 1;
  n.sender_name = "Alice";
  n.chat_id = 5;
  n.chat_kind = storage::ChatKind::group;
  n.chat_title = "team";
  n.seq = 118;
  n.type = MessageType::text;
  n.body = R"({"text":"hi"})";
  n.created_at_ms = 1763700000000;
  n.badge = 4;
  n.attempts = 2;
  const auto json = nlohmann::json::parse(webhook_payload(n));
  EXPECT_EQ(json, nlohmann::json::parse(R"({"id":"n-2-5-118","recipient":2,"sender":1,"sender_name":"Alice",
      "chat":5,"chat_kind":"group","chat_title":"team","seq":118,"type":"text","preview":"hi","badge":4,
      "ts":1763700000000,"attempt":2})"));
}

TEST(BridgeNotification, SplitsWebhookUrls) {
  auto t = split_url("http://127.0.0.1:8099/push?k=v");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->origin, "http://127.0.0.1:8099");
  EXPECT_EQ(t->path, "/push?k=v");
  t = split_url("https://push.example.com");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->origin, "https://push.example.com");
  EXPECT_EQ(t->path, "/");
  EXPECT_FALSE(split_url("ftp://x/y"));
  EXPECT_FALSE(split_url("http:///path"));
  EXPECT_FALSE(split_url("http://user@host/"));
  EXPECT_FALSE(split_url(""));
}

}  // namespace
}  // namespace chat::bridge
