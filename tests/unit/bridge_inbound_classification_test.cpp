// The writer's classification of inbound chat messages and receipts
// (chat/bridge/inbound_classification.hpp): what is stored, refused or
// applied, decided from the topic and the payload alone.
#include "chat/bridge/inbound_classification.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chat::bridge {
namespace {

constexpr std::size_t kMax = 65536;

InboundTopic topic(const std::string& text) {
  const auto parsed = parse_topic(text);
  if (!parsed) ADD_FAILURE() << "not a topic: " << text;
  return parsed.value_or(InboundTopic{});
}

TEST(BridgeInboundClassification, AGroupMessageNamesItsChatAndSender) {
  const auto classified = classify_message(topic("g/42/msg/7"), R"({"id":"c1","type":"text","text":"hi"})", kMax);
  ASSERT_TRUE(std::holds_alternative<MessageToStore>(classified));
  const auto& m = std::get<MessageToStore>(classified);
  EXPECT_EQ(m.chat_id, 42);
  EXPECT_EQ(m.sender_id, 7);
  EXPECT_EQ(m.client_msg_id, "c1");
  EXPECT_EQ(m.type, storage::MessageType::text);
  EXPECT_EQ(m.body, R"({"text":"hi"})");
}

TEST(BridgeInboundClassification, ADirectMessageLeavesItsChatToBeResolved) {
  const auto classified = classify_message(topic("dm/9/msg/7"), R"({"id":"c1","type":"text","text":"hi"})", kMax);
  ASSERT_TRUE(std::holds_alternative<MessageToStore>(classified));
  EXPECT_EQ(std::get<MessageToStore>(classified).chat_id, 0);
  EXPECT_EQ(std::get<MessageToStore>(classified).sender_id, 7);
}

TEST(BridgeInboundClassification, RefusalsCarryTheClientIdWhenItCouldBeRead) {
  auto classified = classify_message(topic("dm/7/msg/7"), R"({"id":"c1","type":"text","text":"me"})", kMax);
  ASSERT_TRUE(std::holds_alternative<PayloadError>(classified));
  EXPECT_EQ(std::get<PayloadError>(classified).error, "bad_request");
  EXPECT_EQ(std::get<PayloadError>(classified).detail, "a direct message to oneself");
  EXPECT_EQ(std::get<PayloadError>(classified).id, "c1");

  classified = classify_message(topic("g/42/msg/7"), R"({"id":"c2","type":"text","text":"xxxxxxxxxx"})", 20);
  ASSERT_TRUE(std::holds_alternative<PayloadError>(classified));
  EXPECT_EQ(std::get<PayloadError>(classified).error, "too_large");

  classified = classify_message(topic("g/42/msg/7"), "not json", kMax);
  ASSERT_TRUE(std::holds_alternative<PayloadError>(classified));
  EXPECT_FALSE(std::get<PayloadError>(classified).id) << "no id: dropped, not nacked";
}

TEST(BridgeInboundClassification, AGroupReceiptMovesTheReadersCursorInThatChat) {
  const auto r = classify_receipt(topic("g/42/rcpt/7"), R"({"type":"read","seq":12})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->chat_id, 42);
  EXPECT_EQ(r->peer_id, 0);
  EXPECT_EQ(r->reader_id, 7);
  EXPECT_EQ(r->kind, storage::ReceiptKind::read);
  EXPECT_EQ(r->seq, 12);
  EXPECT_TRUE(r->refs.empty());
}

TEST(BridgeInboundClassification, ADirectReceiptsRefsDefaultToTheOtherUser) {
  // dm/{to}/rcpt/{from}: receipts for messages `to` sent; a ref without
  // `from` names one of them.
  const auto r =
      classify_receipt(topic("dm/9/rcpt/7"), R"({"type":"delivered","refs":[{"id":"a"},{"from":9,"id":"b"}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->chat_id, 0);
  EXPECT_EQ(r->peer_id, 9);
  EXPECT_EQ(r->reader_id, 7);
  ASSERT_EQ(r->refs.size(), 2u);
  EXPECT_EQ(r->refs[0].sender_id, 9);
  EXPECT_EQ(r->refs[0].client_msg_id, "a");
  EXPECT_EQ(r->refs[1].sender_id, 9);

  // In a group a ref must name its sender: one without is left out.
  const auto g =
      classify_receipt(topic("g/42/rcpt/7"), R"({"type":"delivered","refs":[{"id":"a"},{"from":3,"id":"b"}]})");
  ASSERT_TRUE(g);
  ASSERT_EQ(g->refs.size(), 1u);
  EXPECT_EQ(g->refs[0].sender_id, 3);
}

TEST(BridgeInboundClassification, AnUnreadableReceiptIsNothing) {
  EXPECT_FALSE(classify_receipt(topic("g/42/rcpt/7"), "{"));
  EXPECT_FALSE(classify_receipt(topic("g/42/rcpt/7"), R"({"type":"seen","seq":1})"));
}

}  // namespace
}  // namespace chat::bridge
