// Catching up after the broker dropped what it queued (docs/protocol.md,
// "sync"): the real broker with a small queue, the chat-bridge binary,
// PostgreSQL.
#include "bridge_test_env.hpp"

#include "chat/protocol/topics.hpp"

#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

namespace chat::bridge::testing {
namespace {

using nlohmann::json;

// A device offline while 5000 messages arrive in 50 chats, with the broker
// allowed to queue only 10 for it: the broker drops, chat.list + sync bring
// every message back, in seq order, none missing.
class BridgeOfflineCatchUp : public BridgeTest {
 protected:
  std::map<std::string, std::string> broker_overrides() const override { return {{"max_queued_messages", "10"}}; }
};

TEST_F(BridgeOfflineCatchUp, ChatListAndSyncRecoverWhatTheBrokerDropped) {
  constexpr int kChats = 50;
  constexpr int kPerChat = 100;
  auto bridge = start_bridge();
  const auto writer_user = make_user("writer");
  const auto reader_user = make_user("reader");
  std::vector<std::int64_t> chats;
  for (int i = 0; i < kChats; ++i) {
    const std::vector<storage::UserId> reader{reader_user.id};
    chats.push_back(store().chats().create_group(writer_user.id, "c" + std::to_string(i), reader).id);
  }

  auto reader = make_client(reader_user.id, "phone");
  reader->use_persistent_session();
  reader->connect();
  for (const auto chat : chats) reader->subscribe("g/" + std::to_string(chat) + "/#");
  reader->disconnect();

  // In windows of 100: the queue limit applies to the bridge's session too,
  // which must not fall more than its in-flight window behind.
  auto writer = client(writer_user.id);
  for (int n = 0; n < kChats * kPerChat; ++n) {
    const auto chat = chats[static_cast<std::size_t>(n % kChats)];
    writer->send(protocol::group_topic(protocol::Channel::msg, chat, writer_user.id), "w" + std::to_string(n));
    if (n % 100 == 99) {
      ASSERT_TRUE(writer->wait_all_answered(30s));
    }
  }
  ASSERT_EQ(writer->acked(), static_cast<std::size_t>(kChats * kPerChat));

  reader->connect();

  // chat.list, page by page: the cursors the client starts from (it had nothing).
  json cursors = json::object();
  std::int64_t after = 0;
  for (bool more = true; more;) {
    const json page = reader->request("chat.list", {{"after", after}});
    ASSERT_TRUE(page.value("ok", false)) << page;
    for (const auto& entry : page["result"]["chats"]) {
      cursors[std::to_string(entry["id"].get<std::int64_t>())] = 0;
      after = entry["id"].get<std::int64_t>();
    }
    more = page["result"]["more"].get<bool>();
  }
  ASSERT_EQ(cursors.size(), static_cast<std::size_t>(kChats));
  // What the broker kept for the session came before the answers (it
  // delivers to a client in order), so it is all in by now.
  std::size_t live = 0;
  for (const auto chat : chats)
    live += reader->received(protocol::group_topic(protocol::Channel::msg, chat, writer_user.id)).size();
  EXPECT_LT(live, 100u) << "the broker was to drop most of the queue";

  // sync until nothing more: every message, in seq order per chat.
  std::map<std::int64_t, std::vector<std::int64_t>> seqs;
  std::set<std::string> ids;
  int rounds = 0;
  for (bool more = true; more; ++rounds) {
    ASSERT_LT(rounds, 20);
    const json answer = reader->request("sync", {{"cursors", cursors}});
    ASSERT_TRUE(answer.value("ok", false)) << answer.dump().substr(0, 500);
    EXPECT_TRUE(answer["result"]["membership"].empty());
    for (const auto& entry : answer["result"]["chats"]) {
      const auto chat = entry["chat"].get<std::int64_t>();
      for (const auto& m : entry["messages"]) {
        seqs[chat].push_back(m["seq"].get<std::int64_t>());
        ids.insert(m["id"].get<std::string>());
        cursors[std::to_string(chat)] = m["seq"];
      }
    }
    more = answer["result"]["more"].get<bool>();
  }
  EXPECT_GE(rounds, 3) << "5000 messages do not fit one answer";
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kChats * kPerChat));
  ASSERT_EQ(seqs.size(), static_cast<std::size_t>(kChats));
  for (const auto& [chat, list] : seqs) {
    std::vector<std::int64_t> expected(kPerChat);
    std::iota(expected.begin(), expected.end(), 1);
    EXPECT_EQ(list, expected) << "chat " << chat;
  }
}

}  // namespace
}  // namespace chat::bridge::testing
