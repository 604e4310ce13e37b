#include "chat/bridge/payloads.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace chat::bridge {
namespace {

using nlohmann::json;

MessagePayload ok(std::string_view payload) {
  auto parsed = parse_message_payload(payload, 65536);
  if (auto* error = std::get_if<PayloadError>(&parsed)) {
    ADD_FAILURE() << "refused: " << error->detail;
    return {};
  }
  return std::get<MessagePayload>(parsed);
}

PayloadError refused(std::string_view payload, std::size_t max = 65536) {
  auto parsed = parse_message_payload(payload, max);
  if (!std::holds_alternative<PayloadError>(parsed)) {
    ADD_FAILURE() << "accepted: " << payload;
    return {};
  }
  return std::get<PayloadError>(parsed);
}

TEST(BridgePayloads, ActionsNameTheirTargetForStorage) {
  const auto edit = ok(R"({"id":"e1","type":"edit","target":41,"text":"hello, corrected","ts":5})");
  EXPECT_EQ(edit.type, storage::MessageType::edit);
  EXPECT_EQ(edit.target, 41);
  EXPECT_EQ(edit.edit_text, "hello, corrected");
  EXPECT_EQ(json::parse(edit.body), json({{"target", 41}, {"text", "hello, corrected"}}));

  const auto deletion = ok(R"({"id":"d1","type":"delete","target":7})");
  EXPECT_EQ(deletion.type, storage::MessageType::deletion);
  EXPECT_EQ(deletion.target, 7);

  const auto added = ok(R"({"id":"r1","type":"reaction","target":3,"emoji":"👍"})");
  EXPECT_EQ(added.type, storage::MessageType::reaction);
  EXPECT_EQ(added.emoji, "👍");
  EXPECT_FALSE(added.remove);
  EXPECT_TRUE(ok(R"({"id":"r2","type":"reaction","target":3,"emoji":"👍","remove":true})").remove);
  EXPECT_FALSE(ok(R"({"id":"r3","type":"reaction","target":3,"emoji":"👍","remove":false})").remove);

  EXPECT_EQ(ok(R"({"id":"t","type":"text","text":"x","reply_to":9})").reply_to, 9);
  EXPECT_EQ(ok(R"({"id":"t","type":"text","text":"x"})").reply_to, 0);
}

TEST(BridgePayloads, AReactionIsOneGrapheme) {
  const auto error = refused(R"({"id":"r1","type":"reaction","target":3,"emoji":"👍👎"})");
  EXPECT_EQ(error.error, "bad_request");
  EXPECT_EQ(error.detail, "not_one_emoji");
  EXPECT_EQ(error.id, "r1");  // named: the sender gets a nack
}

TEST(BridgePayloads, AMessageKeepsEverythingButIdTypeAndTs) {
  const auto m = ok(R"({"id":"c-7f3a9","type":"text","text":"hello","ts":1763700000000,"reply_to":3})");
  EXPECT_EQ(m.id, "c-7f3a9");
  EXPECT_EQ(m.type, storage::MessageType::text);
  EXPECT_EQ(json::parse(m.body), json({{"text", "hello"}, {"reply_to", 3}}));

  const auto image =
      ok(R"({"id":"i1","type":"image","media":{"id":"m-1","mime":"image/jpeg","size":48213},"text":"caption"})");
  EXPECT_EQ(image.type, storage::MessageType::image);
  EXPECT_EQ(json::parse(image.body)["media"]["size"], 48213);
  EXPECT_EQ(ok(R"({"id":"v","type":"voice","media":{}})").type, storage::MessageType::voice);
  EXPECT_EQ(ok(R"({"id":"f","type":"file","media":{}})").type, storage::MessageType::file);
}

TEST(BridgePayloads, RefusedMessagesSayWhyAndKeepTheIdWhenReadable) {
  EXPECT_FALSE(refused("not json").id);
  EXPECT_FALSE(refused("[1,2]").id);
  EXPECT_FALSE(refused(R"({"type":"text","text":"x"})").id);
  EXPECT_FALSE(refused(R"({"id":"bad id","type":"text","text":"x"})").id);
  EXPECT_FALSE(refused(R"({"id":")" + std::string(65, 'a') + R"(","type":"text","text":"x"})").id);
  EXPECT_FALSE(refused(R"({"id":7,"type":"text","text":"x"})").id);

  auto e = refused(R"({"id":"c1","type":"sticker"})");
  EXPECT_EQ(e.error, "bad_request");
  EXPECT_EQ(e.id, "c1");
  EXPECT_EQ(refused(R"({"id":"c1"})").id, "c1");
  EXPECT_EQ(refused(R"({"id":"c1","type":"text"})").detail, "a text message needs text");
  EXPECT_EQ(refused(R"({"id":"c1","type":"text","text":5})").detail, "text must be a string");
  EXPECT_EQ(refused(R"({"id":"c1","type":"image","text":"no media"})").detail, "a media message needs media");
  EXPECT_EQ(refused(R"({"id":"c1","type":"image","media":"m-1"})").detail, "media must be an object");
  // PostgreSQL's jsonb cannot hold U+0000: refused here rather than failing a batch.
  EXPECT_EQ(refused(R"({"id":"c1","type":"text","text":"a\u0000b"})").error, "bad_request");
  EXPECT_EQ(refused(R"({"id":"c1","type":"text","text":"x","x":{"k\u0000":1}})").error, "bad_request");
  // Invalid UTF-8.
  EXPECT_EQ(refused("{\"id\":\"c1\",\"type\":\"text\",\"text\":\"\xff\"}").error, "bad_request");

  // Nesting beyond 16 levels (the plugin's limit too).
  EXPECT_EQ(
      refused(R"({"id":"c1","type":"text","text":"x","deep":)" + std::string(20, '[') + std::string(20, ']') + "}")
          .error,
      "bad_request");
  EXPECT_EQ(ok(R"({"id":"c1","type":"text","text":"x","deep":)" + std::string(10, '[') + std::string(10, ']') + "}").id,
            "c1");

  e = refused(R"({"id":"c1","type":"text","text":"xxxxxxxxxx"})", 20);
  EXPECT_EQ(e.error, "too_large");
}

TEST(BridgePayloads, Receipts) {
  auto r = parse_receipt_payload(R"({"type":"read","seq":118})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, storage::ReceiptKind::read);
  EXPECT_EQ(r->seq, 118);
  EXPECT_TRUE(r->refs.empty());

  r = parse_receipt_payload(R"({"type":"delivered","refs":[{"from":12,"id":"c-7f3a9"},{"id":"c2"}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, storage::ReceiptKind::delivered);
  ASSERT_EQ(r->refs.size(), 2u);
  EXPECT_EQ(r->refs[0].from, 12);
  EXPECT_EQ(r->refs[0].id, "c-7f3a9");
  EXPECT_EQ(r->refs[1].from, 0);

  for (const char* bad : {"", "{}", R"({"type":"seen","seq":1})", R"({"type":"read"})", R"({"type":"read","seq":0})",
                          R"({"type":"read","seq":-3})", R"({"type":"read","seq":1.5})", R"({"type":"read","seq":"1"})",
                          R"({"type":"read","refs":[]})", R"({"type":"read","refs":[{"from":1}]})",
                          R"({"type":"read","refs":[{"from":0,"id":"a"}]})",
                          R"({"type":"read","refs":[{"id":"bad id"}]})", R"({"type":"read","refs":{"id":"a"}})"}) {
    EXPECT_FALSE(parse_receipt_payload(bad)) << bad;
  }
}

TEST(BridgePayloads, DeviceStates) {
  EXPECT_EQ(parse_device_state("online"), true);
  EXPECT_EQ(parse_device_state("offline"), false);
  EXPECT_EQ(parse_device_state("online\n"), true);
  EXPECT_EQ(parse_device_state(R"("offline")"), false);
  EXPECT_EQ(parse_device_state(R"({"state":"online"})"), true);
  EXPECT_EQ(parse_device_state(R"({"online":false})"), false);
  EXPECT_FALSE(parse_device_state("away"));
  EXPECT_FALSE(parse_device_state(""));
  EXPECT_FALSE(parse_device_state(R"({"state":1})"));
}

TEST(BridgePayloads, Events) {
  const auto nack = json::parse(nack_event("c-1", "dm/2/msg/1", "not_found", "unknown_recipient"));
  EXPECT_EQ(nack, json({{"ev", "nack"},
                        {"id", "c-1"},
                        {"topic", "dm/2/msg/1"},
                        {"error", "not_found"},
                        {"detail", "unknown_recipient"}}));
  EXPECT_EQ(json::parse(nack_event("x", "t", "bad_request", "a \"quoted\" detail"))["detail"], "a \"quoted\" detail");
  EXPECT_EQ(presence_payload(true, 5), R"({"online":true})");
  EXPECT_EQ(presence_payload(false, 1763700000000), R"({"online":false,"last_seen":1763700000000})");
  EXPECT_EQ(presence_payload(false, std::nullopt), R"({"online":false})");
}

TEST(BridgePayloads, RepliesToAppendResults) {
  storage::AppendResult r;
  r.status = storage::AppendStatus::stored;
  EXPECT_TRUE(reply_for(r).ack);
  r.status = storage::AppendStatus::duplicate;
  EXPECT_TRUE(reply_for(r).ack);
  r.status = storage::AppendStatus::chat_not_found;
  EXPECT_EQ(reply_for(r).error + "/" + reply_for(r).detail, "not_found/chat_not_found");
  r.status = storage::AppendStatus::chat_deleted;
  EXPECT_EQ(reply_for(r).error + "/" + reply_for(r).detail, "not_found/chat_deleted");
  r.status = storage::AppendStatus::not_member;
  EXPECT_EQ(reply_for(r).error + "/" + reply_for(r).detail, "forbidden/not_member");
  EXPECT_FALSE(reply_for(r).ack);
  // Deleted accounts: the contract's details for a sender or recipient that is gone.
  r.status = storage::AppendStatus::recipient_deleted;
  EXPECT_EQ(reply_for(r).error + "/" + reply_for(r).detail, "not_found/unknown_recipient");
  r.status = storage::AppendStatus::sender_deleted;
  EXPECT_EQ(reply_for(r).error + "/" + reply_for(r).detail, "forbidden/unknown_sender");
}

TEST(BridgePayloads, BrokerUptime) {
  EXPECT_EQ(parse_uptime_seconds("1234 seconds"), 1234);
  EXPECT_EQ(parse_uptime_seconds("0 seconds"), 0);
  EXPECT_FALSE(parse_uptime_seconds("seconds"));
  EXPECT_FALSE(parse_uptime_seconds(""));
}

TEST(BridgePayloads, StaleCutoffNeverReachesIntoTheBrokersLife) {
  // A live uptime of 100 s received at t: the broker started at t - 100 s.
  const std::int64_t t = 1763700000000;
  EXPECT_EQ(stale_cutoff_ms(t, 100, false), t - 100000 - 2000);
  // A retained one may be 10 s old (started up to 10 s earlier than it says).
  EXPECT_EQ(stale_cutoff_ms(t, 100, true), t - 100000 - 12000);
  for (int age_s = 0; age_s <= 10; ++age_s) {
    const std::int64_t started = t - 100000 - age_s * 1000;  // what the uptime said age_s ago
    EXPECT_LT(stale_cutoff_ms(t, 100, true), started) << age_s;
  }
}

}  // namespace
}  // namespace chat::bridge
