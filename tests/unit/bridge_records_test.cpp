// The records of request results and membership events (docs/protocol.md section 4).
#include "chat/bridge/request_records.hpp"

#include "chat/bridge/requests.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace chat::bridge {
namespace {

using nlohmann::json;

storage::StoredMessage stored(std::string body) {
  storage::StoredMessage m;
  m.chat_id = 5;
  m.seq = 118;
  m.sender_id = 12;
  m.client_msg_id = "c-7f3a9";
  m.type = storage::MessageType::image;
  m.body = std::move(body);
  m.created_at_ms = 1763700000000;
  return m;
}

TEST(BridgeRecords, AMessageIsItsBodyUnderTheServersFields) {
  const json record = message_record(stored(R"({"text":"caption","media":{"id":"m-1","size":3},"x":1,"seq":9})"));
  EXPECT_EQ(record, json::parse(R"({"chat":5,"seq":118,"from":12,"id":"c-7f3a9","type":"image","text":"caption",
                                   "media":{"id":"m-1","size":3},"x":1,"ts":1763700000000})"));
}

TEST(BridgeRecords, AModeratedMessageKeepsItsPlaceWithoutContent) {
  auto m = stored("{}");
  m.deleted_at_ms = 1763700001000;
  const json record = message_record(m);
  EXPECT_EQ(record["deleted"], true);
  EXPECT_EQ(record["seq"], 118);
  EXPECT_FALSE(record.contains("text"));
  EXPECT_FALSE(record.contains("media"));
}

// A body the database writes out longer than it came (numbers in full) must
// not make a record no answer can carry.
TEST(BridgeRecords, AMessageTooLargeToServeKeepsItsPlaceWithoutContent) {
  std::string numbers;
  for (int i = 0; i < 4000; ++i) numbers += "10000000000000000000,";
  const json record = message_record(stored(R"({"text":"caption","n":[)" + numbers + "1]}"));
  EXPECT_EQ(record, json::parse(R"({"chat":5,"seq":118,"from":12,"id":"c-7f3a9","type":"image",
                                   "ts":1763700000000,"too_large":true})"));

  const std::string text(request_limits::kMaxMessageRecordBytes - 200, 'x');
  EXPECT_EQ(message_record(stored(json{{"text", text}}.dump()))["text"], text);
}

// The largest chat record (1000 members, every number at its widest, a title
// of 128 characters that each escape to six bytes) fits the answer bound of
// 120 KiB (under the broker's 128 KiB): chat.info, chat.add/remove/create and
// chat.added/updated need no paging.
TEST(BridgeRecords, TheLargestChatWithMembersFitsAnAnswer) {
  constexpr std::int64_t kWidest = std::numeric_limits<std::int64_t>::max();
  storage::Chat chat;
  chat.id = kWidest;
  chat.kind = storage::ChatKind::group;
  chat.title = std::string(128, '\x01');
  chat.owner_id = kWidest;
  chat.last_seq = kWidest;
  std::vector<storage::Member> members(
      request_limits::kMaxGroupMembers,
      storage::Member{kWidest, kWidest, storage::MemberRole::member, 0, kWidest, kWidest});
  const json event = chat_event(kChatUpdated, chat_record(chat, members));
  const std::size_t added = request_limits::kMaxUsers * 21;  // "added": [uid, ...]
  const std::size_t envelope = 2 * 1024;                     // {"id":…,"ok":true,"result":…}
  EXPECT_LT(json_size(event) + added + envelope, request_limits::kMaxResponseBytes);
}

TEST(BridgeRecords, ChatsWithAndWithoutMembers) {
  storage::Chat chat;
  chat.id = 5;
  chat.kind = storage::ChatKind::group;
  chat.title = "team";
  chat.owner_id = 12;
  chat.last_seq = 118;
  EXPECT_EQ(chat_record(chat), json::parse(R"({"id":5,"kind":"group","title":"team","owner":12,"last_seq":118})"));

  storage::Member owner{5, 12, storage::MemberRole::owner, 0, 118, 100};
  storage::Member member{5, 13, storage::MemberRole::member, 0, 7, 0};
  const std::vector<storage::Member> members{owner, member};
  const json full = chat_record(chat, members);
  ASSERT_EQ(full["members"].size(), 2u);
  EXPECT_EQ(full["members"][0], json::parse(R"({"uid":12,"role":"owner","delivered_seq":118,"read_seq":100})"));

  storage::Chat direct;
  direct.id = 6;
  direct.kind = storage::ChatKind::direct;
  direct.last_seq = 10;
  // 6 seqs after the read cursor, of which 5 messages of content (storage counts them).
  storage::UserChat mine{direct, storage::MemberRole::member, 9, 4, 13, 5};
  const json entry = user_chat_record(mine);
  EXPECT_TRUE(entry["owner"].is_null());
  EXPECT_EQ(entry["unread"], 5);
  EXPECT_EQ(entry["peer"], 13);
  EXPECT_EQ(entry["read_seq"], 4);
  EXPECT_FALSE(entry.contains("muted_until")) << "not muted: the field is left out";
  mine.muted_until_ms = 4102444800000;
  EXPECT_EQ(user_chat_record(mine)["muted_until"], 4102444800000);

  EXPECT_EQ(chat_event(kChatRemoved, json{{"id", 5}}).dump(), R"({"chat":{"id":5},"ev":"chat.removed"})");
}

TEST(BridgeRecords, AMuteEventNamesTheChatByIdWithItsEnd) {
  EXPECT_EQ(chat_muted_event(5, 4102444800000).dump(), R"({"chat":5,"ev":"chat.muted","until":4102444800000})");
  EXPECT_EQ(chat_muted_event(5, 0).dump(), R"({"chat":5,"ev":"chat.muted","until":0})");
}

TEST(BridgeRecords, PresenceSaysNullWhenNeverSeen) {
  EXPECT_EQ(presence_record({3, true, std::nullopt}), json::parse(R"({"uid":3,"online":true,"last_seen":null})"));
  EXPECT_EQ(presence_record({3, false, 1000})["last_seen"], 1000);
}

}  // namespace
}  // namespace chat::bridge
