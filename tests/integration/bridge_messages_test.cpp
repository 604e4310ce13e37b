// The message path through a real broker and PostgreSQL: direct and group
// messages are stored once and acked after commit; resends are acked again,
// not stored again; what cannot be stored gets a nack (the bridge's own
// checks without the plugin: bridge_own_checks_test.cpp).
#include "bridge_test_env.hpp"

#include <nlohmann/json.hpp>

namespace chat::bridge::testing {
namespace {

std::string dm(std::int64_t to, std::int64_t from) {
  return "dm/" + std::to_string(to) + "/msg/" + std::to_string(from);
}
std::string group(std::int64_t chat, std::int64_t from) {
  return "g/" + std::to_string(chat) + "/msg/" + std::to_string(from);
}

class BridgeMessages : public BridgeTest {};

TEST_F(BridgeMessages, DirectMessageCreatesTheChatIsStoredAndAcked) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  auto bridge = start_bridge();
  auto connected = clients({alice.id, bob.id});
  auto& sender = connected[0];
  auto& reply = connected[1];

  sender->send(dm(bob.id, alice.id), "c1", "hello bob");
  sender->send(dm(bob.id, alice.id), "c2", "second");
  ASSERT_TRUE(sender->wait_all_answered(10s)) << bridge->log();

  const auto ack1 = sender->acks_of("c1");
  const auto ack2 = sender->acks_of("c2");
  ASSERT_EQ(ack1.size(), 1u);
  ASSERT_EQ(ack2.size(), 1u);
  EXPECT_EQ(ack1[0].chat, ack2[0].chat);
  EXPECT_EQ(ack1[0].seq, 1);
  EXPECT_EQ(ack2[0].seq, 2);
  EXPECT_GT(ack1[0].ts, 1700000000000);

  // The first message created the direct chat with both users as members.
  const auto chat = store().chats().find(ack1[0].chat);
  ASSERT_TRUE(chat.has_value());
  EXPECT_EQ(chat->kind, storage::ChatKind::direct);
  EXPECT_EQ(chat->last_seq, 2);
  EXPECT_EQ(store().chats().members(chat->id).size(), 2u);
  const auto history = store().messages().history(chat->id, storage::HistoryAnchor::after(0), 10);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].client_msg_id, "c1");
  EXPECT_EQ(nlohmann::json::parse(history[0].body), nlohmann::json({{"text", "hello bob"}}));
  EXPECT_EQ(history[0].sender_id, alice.id);
  EXPECT_EQ(history[0].created_at_ms, ack1[0].ts);

  // The reply goes to the same chat.
  reply->send(dm(alice.id, bob.id), "r1");
  ASSERT_TRUE(reply->wait_all_answered(10s));
  EXPECT_EQ(reply->acks_of("r1").at(0).chat, chat->id);
  EXPECT_EQ(reply->acks_of("r1").at(0).seq, 3);
}

TEST_F(BridgeMessages, GroupMessagesAreStoredInOrderAndAcked) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  const std::vector<storage::UserId> members{bob.id};
  const auto chat = store().chats().create_group(alice.id, "team", members);
  auto bridge = start_bridge();
  auto connected = clients({alice.id, bob.id});
  auto& a = connected[0];
  auto& b = connected[1];

  for (int i = 0; i < 50; ++i) {
    a->send(group(chat.id, alice.id), "a" + std::to_string(i));
    b->send(group(chat.id, bob.id), "b" + std::to_string(i));
  }
  ASSERT_TRUE(a->wait_all_answered(10s));
  ASSERT_TRUE(b->wait_all_answered(10s));
  EXPECT_EQ(check_messages_consistent(), 100);
  // One sender's messages keep their order within the chat.
  std::int64_t previous = 0;
  for (int i = 0; i < 50; ++i) {
    const auto acks = a->acks_of("a" + std::to_string(i));
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0].chat, chat.id);
    EXPECT_GT(acks[0].seq, previous);
    previous = acks[0].seq;
  }
  EXPECT_EQ(store().chats().find(chat.id)->last_seq, 100);
}

// The acks of one transaction go to each sender as one `acks` event listing
// them all (docs/protocol.md, "Server events"). The chat's row is held by
// another session, so the messages sent meanwhile pile up and are stored in
// one transaction when it is let go.
TEST_F(BridgeMessages, OneTransactionsAcksReachTheSenderAsOneEvent) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  const std::vector<storage::UserId> members{bob.id};
  const auto chat = store().chats().create_group(alice.id, "team", members);
  auto bridge = start_bridge();
  auto a = client(alice.id);

  HeldRow held(conninfo(), "chats", chat.id);

  constexpr int kMessages = 30;
  for (int i = 0; i < kMessages; ++i) a->send(group(chat.id, alice.id), "m" + std::to_string(i));
  // All of them have reached the bridge (the first batch waits on the lock, the rest in its queue).
  ASSERT_TRUE(chat::testing::wait_until(
      [&] { return bridge->metric("chat_bridge_messages_received_total") >= kMessages; }, 10s));
  held.release();

  ASSERT_TRUE(a->wait_all_answered(10s));
  const auto events = a->events("acks");
  std::size_t entries = 0;
  std::size_t largest = 0;
  for (const auto& event : events) {
    entries += event["acks"].size();
    largest = std::max<std::size_t>(largest, event["acks"].size());
  }
  EXPECT_EQ(entries, static_cast<std::size_t>(kMessages)) << "every message acked once";
  // Two transactions: what the writer took before it met the lock, then the
  // rest. One event each, so one of them holds at least half the acks.
  EXPECT_LE(events.size(), 2u) << "one event per transaction, not per message";
  EXPECT_GE(largest, static_cast<std::size_t>(kMessages / 2));
  EXPECT_TRUE(a->events("ack").empty()) << "no per-message ack events any more";
}

TEST_F(BridgeMessages, AResendIsAckedAgainWithTheSameSeqAndStoredOnce) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  auto bridge = start_bridge();
  auto sender = client(alice.id);
  sender->send(dm(bob.id, alice.id), "same", "once");
  ASSERT_TRUE(sender->wait_all_answered(10s));
  sender->send(dm(bob.id, alice.id), "same", "once");  // e.g. after a reconnect
  sender->send(dm(bob.id, alice.id), "next");
  ASSERT_TRUE(sender->wait_all_answered(10s));
  ASSERT_TRUE(chat::testing::wait_until([&] { return sender->acks_of("same").size() == 2; }, 5s));

  const auto acks = sender->acks_of("same");
  EXPECT_EQ(acks[0].seq, 1);
  EXPECT_EQ(acks[1].seq, 1);
  EXPECT_EQ(acks[0].chat, acks[1].chat);
  EXPECT_EQ(acks[0].ts, acks[1].ts);
  EXPECT_EQ(sender->acks_of("next").at(0).seq, 2);
  EXPECT_EQ(check_messages_consistent(), 2);
  EXPECT_EQ(bridge->metric("chat_bridge_messages_duplicate_total"), 1);
}

TEST_F(BridgeMessages, AMessageToAnUnknownUserIsNackedThroughThePlugin) {
  // The plugin lets a user write dm/{to}/msg/{self} for any `to`: whether the
  // recipient exists is the bridge's to say.
  const auto alice = make_user("alice");
  auto bridge = start_bridge();
  auto sender = client(alice.id);
  sender->send(dm(999999, alice.id), "to-nobody");
  ASSERT_TRUE(sender->wait_all_answered(10s));
  const auto nack = nlohmann::json::parse(sender->nack_of("to-nobody").value_or("{}"));
  EXPECT_EQ(nack["error"], "not_found");
  EXPECT_EQ(nack["detail"], "unknown_recipient");
  EXPECT_EQ(check_messages_consistent(), 0);
}

TEST_F(BridgeMessages, HealthAndMetricsAreServed) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  auto bridge = start_bridge();
  auto sender = client(alice.id);
  for (int i = 0; i < 10; ++i) sender->send(dm(bob.id, alice.id), "m" + std::to_string(i));
  ASSERT_TRUE(sender->wait_all_answered(10s));

  const auto [status, health] = bridge->get("/healthz");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(nlohmann::json::parse(health)["status"], "ok");
  const auto [metrics_status, metrics] = bridge->get("/metrics");
  EXPECT_EQ(metrics_status, 200);
  EXPECT_NE(metrics.find("# TYPE chat_bridge_messages_stored_total counter"), std::string::npos);
  EXPECT_NE(metrics.find("chat_bridge_ack_latency_seconds_bucket{le=\"+Inf\"} 10"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("chat_bridge_queue_depth 0"), std::string::npos);
  EXPECT_NE(metrics.find("chat_bridge_db_errors_total 0"), std::string::npos);
  EXPECT_EQ(bridge->metric("chat_bridge_messages_stored_total"), 10);
  EXPECT_GE(bridge->metric("chat_bridge_batch_size_count"), 1);
}

TEST_F(BridgeMessages, SigtermDrainsAndExitsCleanly) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  auto bridge = start_bridge();
  auto sender = client(alice.id);
  for (int i = 0; i < 500; ++i) sender->send(dm(bob.id, alice.id), "m" + std::to_string(i));
  ASSERT_TRUE(chat::testing::wait_until([&] { return sender->acked() > 0; }, 10s));
  const int status = bridge->terminate();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "exit status " << status << "\n" << bridge->log();
  EXPECT_NE(bridge->log().find("\"msg\":\"stopped\""), std::string::npos);
  // Whatever it stored it acked; the rest waits in the broker's session.
  const auto stored = check_messages_consistent();
  EXPECT_TRUE(chat::testing::wait_until([&] { return static_cast<std::int64_t>(sender->acked()) == stored; }, 5s))
      << sender->acked() << " acked, " << stored << " stored";

  auto again = start_bridge();
  ASSERT_TRUE(sender->wait_all_answered(15s)) << again->log();
  EXPECT_EQ(check_messages_consistent(), 500);
}

}  // namespace
}  // namespace chat::bridge::testing
