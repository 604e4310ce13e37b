// Every answer of every request reaches the client: under the broker's
// message_size_limit (128 KiB, broker-config/), with "more" set when
// something was left for the next page, and a catch-up that always ends
// (docs/protocol.md section 4, "Bounds"). Out-of-range arguments are the
// client's error, never the database's.
#include "bridge_test_env.hpp"

#include <set>

namespace chat::bridge::testing {
namespace {

using nlohmann::json;

std::string repeated(const std::string& piece, int times) {
  std::string text;
  for (int i = 0; i < times; ++i) text += piece;
  return text;
}

// 100 emoji: 400 bytes of UTF-8 in 100 characters (a title may have 128).
const std::string kLongTitle = repeated("\xF0\x9F\x98\x80", 100);

class BridgeAnswerBounds : public BridgeTest {
 protected:
  // A bridge, and a reader (connected) in `count` groups of a writer, each
  // with one new message.
  void start_with_groups(int count) {
    bridge_ = start_bridge();
    const auto writer = make_user("writer");
    const auto reader = make_user("reader");
    chats_ = groups_with_one_message(writer.id, reader.id, count);
    reader_ = client(reader.id);
  }
  std::unique_ptr<BridgeProcess> bridge_;
  std::vector<std::int64_t> chats_;
  std::unique_ptr<ChatClient> reader_;

  // `count` groups owned by a writer with the reader as member, each with one
  // message of 100 emoji; their ids.
  std::vector<std::int64_t> groups_with_one_message(std::int64_t writer, std::int64_t reader, int count) {
    std::vector<std::int64_t> chats;
    std::vector<storage::NewMessage> messages;
    const std::vector<storage::UserId> members{reader};
    for (int i = 0; i < count; ++i) {
      chats.push_back(store().chats().create_group(writer, kLongTitle, members).id);
      storage::NewMessage m;
      m.chat_id = chats.back();
      m.sender_id = writer;
      m.client_msg_id = "m" + std::to_string(i);
      m.type = storage::MessageType::text;
      m.body = json{{"text", kLongTitle}}.dump();
      messages.push_back(std::move(m));
    }
    for (const auto& result : store().messages().append_messages(messages)) EXPECT_TRUE(result.accepted());
    return chats;
  }

  // sync from `cursors` until "more" is false, as the contract's client does;
  // every answer must come. The message ids received, and the events.
  struct CatchUp {
    std::set<std::string> ids;
    std::vector<json> membership;
    int rounds = 0;
  };
  CatchUp catch_up(ChatClient& device, json cursors) {
    CatchUp result;
    for (bool more = true; more; ++result.rounds) {
      if (result.rounds == 20) {
        ADD_FAILURE() << "sync does not end";
        break;
      }
      const json answer = device.request("sync", {{"cursors", cursors}});
      if (!answer.value("ok", false)) {
        ADD_FAILURE() << "round " << result.rounds << ": no answer or a refusal: " << answer.dump().substr(0, 300);
        break;
      }
      for (const auto& entry : answer["result"]["chats"]) {
        const std::string chat = std::to_string(entry["chat"].get<std::int64_t>());
        for (const auto& m : entry["messages"]) {
          result.ids.insert(m["id"].get<std::string>());
          cursors[chat] = m["seq"];
        }
      }
      for (const auto& event : answer["result"]["membership"]) {
        result.membership.push_back(event);
        const std::string chat = std::to_string(event["chat"]["id"].get<std::int64_t>());
        if (event["ev"] == "chat.added") {
          cursors[chat] = 0;
        } else {
          cursors.erase(chat);
        }
      }
      more = answer["result"]["more"].get<bool>();
    }
    return result;
  }
};

TEST_F(BridgeAnswerBounds, SyncOfManyChatsBehindTheirCursorsFitsAndEnds) {
  start_with_groups(300);
  json cursors = json::object();
  for (const auto chat : chats_) cursors[std::to_string(chat)] = 0;
  const CatchUp result = catch_up(*reader_, cursors);
  EXPECT_EQ(result.ids.size(), chats_.size());
  EXPECT_GE(result.rounds, 2) << "300 messages of 400 bytes do not fit one answer";
  EXPECT_TRUE(result.membership.empty());
}

TEST_F(BridgeAnswerBounds, SyncOfManyChatsNotListedFitsAndEnds) {
  start_with_groups(300);
  const CatchUp result = catch_up(*reader_, json::object());
  EXPECT_EQ(result.ids.size(), chats_.size());
  EXPECT_EQ(result.membership.size(), chats_.size());
  for (const auto& event : result.membership) EXPECT_EQ(event["ev"], "chat.added");
}

TEST_F(BridgeAnswerBounds, SyncOfManyDeletedChatsFitsAndEnds) {
  start_with_groups(300);
  psql("UPDATE chats SET deleted_at = now() WHERE kind = 'group'");
  json cursors = json::object();
  for (const auto chat : chats_) cursors[std::to_string(chat)] = 1;
  const CatchUp result = catch_up(*reader_, cursors);
  EXPECT_TRUE(result.ids.empty());
  ASSERT_EQ(result.membership.size(), chats_.size());
  for (const auto& event : result.membership) {
    EXPECT_EQ(event["ev"], "chat.deleted");
    EXPECT_EQ(event["chat"]["title"], kLongTitle);
  }
}

// A number PostgreSQL writes out longer than it came (1E19: 20 digits) can
// make a stored message's record larger than any answer: it is served
// without its content rather than stalling every member's catch-up on it.
TEST_F(BridgeAnswerBounds, AMessageTooLargeToServeComesWithoutContent) {
  auto bridge = start_bridge();
  const auto writer = make_user("writer");
  const auto reader = make_user("reader");
  const std::vector<storage::UserId> members{reader.id};
  const auto chat = store().chats().create_group(writer.id, "numbers", members).id;
  storage::NewMessage m;
  m.chat_id = chat;
  m.sender_id = writer.id;
  m.client_msg_id = "wide";
  m.type = storage::MessageType::text;
  m.body = R"({"text":"n","n":[)" + repeated("1E19,", 12000) + "1]}";
  ASSERT_LT(m.body.size(), 64u * 1024);
  ASSERT_TRUE(store().messages().append_messages(std::vector<storage::NewMessage>{m}).at(0).accepted());
  auto device = client(reader.id);

  const json page = device->request("history", {{"chat", chat}});
  ASSERT_TRUE(page.value("ok", false)) << page.dump().substr(0, 300);
  ASSERT_EQ(page["result"]["messages"].size(), 1u);
  const json& record = page["result"]["messages"][0];
  EXPECT_EQ(record["id"], "wide");
  EXPECT_EQ(record["too_large"], true);
  EXPECT_FALSE(record.contains("n"));

  const CatchUp result = catch_up(*device, json{{std::to_string(chat), 0}});
  EXPECT_EQ(result.ids, std::set<std::string>{"wide"});
}

// PostgreSQL's timestamp arithmetic ends near 9.2e15 ms; a time past year
// 9999 is refused as the client's error, and the worker goes on serving.
TEST_F(BridgeAnswerBounds, HistoryBeforeAHugeTimeIsABadRequest) {
  auto bridge = start_bridge();
  const auto user = make_user("anna");
  const auto chat = store().chats().create_group(user.id, "team", {}).id;
  auto device = client(user.id);

  for (const std::int64_t ts : {std::int64_t{9'300'000'000'000'000}, std::int64_t{253'402'300'800'000}}) {
    const json answer = device->request("history", {{"chat", chat}, {"before_ts", ts}});
    ASSERT_TRUE(answer.is_object()) << "no answer";
    EXPECT_FALSE(answer.value("ok", true)) << answer;
    EXPECT_EQ(answer["error"]["code"], "bad_request") << answer;
  }
  const json last = device->request("history", {{"chat", chat}, {"before_ts", 253'402'300'799'999}});
  EXPECT_TRUE(last.value("ok", false)) << last;
  EXPECT_EQ(bridge->log().find("request failed"), std::string::npos) << bridge->log();
}

}  // namespace
}  // namespace chat::bridge::testing
