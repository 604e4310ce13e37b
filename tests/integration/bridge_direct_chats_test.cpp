// Direct messages against the real thing: the writer's cache of direct chats
// (bridge/src/writer.cpp) and deleted accounts, which keep their rows and
// direct chats but receive nothing new (docs/protocol.md, the nack details).
#include "bridge_test_env.hpp"

#include "chat/storage/statement.hpp"

#include <thread>

namespace chat::bridge::testing {
namespace {

using nlohmann::json;

std::string dm(std::int64_t to, std::int64_t from) {
  return "dm/" + std::to_string(to) + "/msg/" + std::to_string(from);
}

// Waits until `condition` holds; false after `timeout`.
template <class F>
bool eventually(F condition, std::chrono::milliseconds timeout = 10s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

json nack(const ChatClient& device, const std::string& id) { return json::parse(device.nack_of(id).value_or("{}")); }

class BridgeDirectChats : public BridgeTest {};

// The cache is cleared when a batch's new pairs would overflow it; a message
// of the same batch whose pair was cached must still be stored (it was
// dropped with the whole batch, unacked, by std::out_of_range).
TEST_F(BridgeDirectChats, ClearingTheCacheMidBatchLosesNothing) {
  const auto anna = make_user("anna");
  const auto ben = make_user("ben");
  const auto cleo = make_user("cleo");
  auto bridge = start_bridge({"--direct-chat-cache-max", "1"});
  auto a = client(anna.id);

  a->send(dm(ben.id, anna.id), "m1");  // caches (anna, ben): the cache is full
  ASSERT_TRUE(a->wait_all_answered(10s));
  const std::int64_t anna_ben = a->acks_of("m1").at(0).chat;

  // While the writer waits on a lock of that chat with m2, m3 (cached pair)
  // and m4 (a new pair) queue up and become one batch.
  static constexpr storage::Statement kHoldChat{"test.hold_chat",
                                                "SELECT id FROM chats WHERE id = $1::bigint FOR UPDATE"};
  storage::Store holder(conninfo());
  const bool queued = holder.connection().transaction([&](storage::Connection& tx) {
    tx.execute(kHoldChat, anna_ben);
    const double received = bridge->metric("chat_bridge_messages_received_total");
    a->send(dm(ben.id, anna.id), "m2");
    const bool writer_waits = eventually([&] {
      return psql_int(
                 "SELECT count(*) FROM pg_stat_activity "
                 "WHERE datname = current_database() AND wait_event_type = 'Lock'") == 1;
    });
    a->send(dm(ben.id, anna.id), "m3");
    a->send(dm(cleo.id, anna.id), "m4");
    return writer_waits &&
           eventually([&] { return bridge->metric("chat_bridge_messages_received_total") >= received + 3; });
  });
  ASSERT_TRUE(queued) << "the writer did not wait for the chat, or m2..m4 did not reach the bridge";

  ASSERT_TRUE(a->wait_all_answered(10s)) << bridge->log();
  for (const char* id : {"m2", "m3", "m4"}) EXPECT_EQ(a->acks_of(id).size(), 1u) << id;
  EXPECT_EQ(bridge->log().find("batch dropped"), std::string::npos) << bridge->log();
  EXPECT_EQ(check_messages_consistent(), 4);
}

// A deleted account gets nothing new: no direct chat is created for it, no
// message stored in the one it had (whether the writer had the chat cached or
// not), no push job; the sender hears not_found / unknown_recipient.
TEST_F(BridgeDirectChats, ADeletedAccountReceivesNoDirectMessages) {
  const auto anna = make_user("anna");
  const auto ben = make_user("ben");
  const auto cleo = make_user("cleo");
  // Notifications on (nobody listens there): jobs are written with the messages.
  const std::string webhook =
      "http://127.0.0.1:" + std::to_string(chat::testing::free_loopback_port()) + "/_matrix/push/v1/notify";
  auto bridge = start_bridge({"--webhook-url", webhook});
  auto a = client(anna.id);

  a->send(dm(ben.id, anna.id), "before");  // the chat exists and is cached
  ASSERT_TRUE(a->wait_all_answered(10s));
  ASSERT_EQ(a->acks_of("before").size(), 1u);
  ASSERT_EQ(store().users().delete_account(ben.id, false).status, storage::AccountStatus::ok);
  ASSERT_EQ(store().users().delete_account(cleo.id, false).status, storage::AccountStatus::ok);

  a->send(dm(ben.id, anna.id), "cached");  // the writer knows the chat
  a->send(dm(cleo.id, anna.id), "new");    // no chat yet
  ASSERT_TRUE(a->wait_all_answered(10s));
  for (const char* id : {"cached", "new"}) {
    EXPECT_EQ(nack(*a, id)["error"], "not_found") << id;
    EXPECT_EQ(nack(*a, id)["detail"], "unknown_recipient") << id;
  }

  // A writer that starts afresh resolves the chat instead: the same answer.
  bridge.reset();
  bridge = start_bridge({"--webhook-url", webhook});
  a->send(dm(ben.id, anna.id), "resolved");
  ASSERT_TRUE(a->wait_all_answered(10s));
  EXPECT_EQ(nack(*a, "resolved")["detail"], "unknown_recipient");

  EXPECT_EQ(check_messages_consistent(), 1);
  EXPECT_EQ(psql_int("SELECT count(*) FROM chats WHERE kind = 'direct'"), 1);
  EXPECT_EQ(psql_int("SELECT count(*) FROM notification_outbox WHERE user_id IN (" + std::to_string(ben.id) + ", " +
                     std::to_string(cleo.id) + ")"),
            0);
}

}  // namespace
}  // namespace chat::bridge::testing
