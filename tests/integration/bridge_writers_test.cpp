// More than one writer (`--writers N`): each chat belongs to one writer (the
// topic's shard key), so a chat's messages are stored in arrival order and
// seqs stay gapless, while writers store different chats in transactions of
// their own, side by side.
#include "bridge_test_env.hpp"
#include "chat/bridge/topics.hpp"

#include <set>

namespace chat::bridge::testing {
namespace {

constexpr int kWriters = 4;

std::string group_topic(std::int64_t chat, std::int64_t from) {
  return "g/" + std::to_string(chat) + "/msg/" + std::to_string(from);
}

std::string direct_topic(std::int64_t to, std::int64_t from) {
  return "dm/" + std::to_string(to) + "/msg/" + std::to_string(from);
}

// The writer the bridge gives a topic to (mqtt_link.cpp does the same).
std::uint64_t writer_of(const std::string& topic) {
  const auto parsed = parse_topic(topic);
  if (!parsed) throw std::logic_error("not a topic: " + topic);
  return shard_key(*parsed) % kWriters;
}

class BridgeWriters : public BridgeTest {};

// A chat whose row is held (its writer waits on the lock) holds back only its
// own writer: a message to a chat of another writer is stored and acked
// meanwhile. With one writer it would wait behind the held chat.
TEST_F(BridgeWriters, AWriterWaitingOnOneChatHoldsNoOtherWritersChats) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  const std::vector<storage::UserId> members{bob.id};
  const auto held_chat = store().chats().create_group(alice.id, "held", members);
  std::optional<storage::Chat> free_chat;
  for (int i = 0; i < 20 && !free_chat; ++i) {
    const auto chat = store().chats().create_group(alice.id, "free" + std::to_string(i), members);
    if (writer_of(group_topic(chat.id, alice.id)) != writer_of(group_topic(held_chat.id, alice.id))) free_chat = chat;
  }
  ASSERT_TRUE(free_chat) << "no group of another writer among 20";

  auto bridge = start_bridge({"--writers", std::to_string(kWriters)});
  auto a = client(alice.id);
  HeldRow held(conninfo(), "chats", held_chat.id);
  a->send(group_topic(held_chat.id, alice.id), "held-1");
  ASSERT_TRUE(
      chat::testing::wait_until([&] { return bridge->metric("chat_bridge_messages_received_total") >= 1; }, 10s));
  a->send(group_topic(free_chat->id, alice.id), "free-1");

  ASSERT_TRUE(a->wait_answer("free-1", 10s)) << "a chat of another writer waited behind the held one";
  ASSERT_EQ(a->acks_of("free-1").size(), 1u);
  EXPECT_EQ(a->acks_of("free-1")[0].seq, 1);
  EXPECT_TRUE(a->acks_of("held-1").empty()) << "acked while its chat's row was held";

  held.release();
  ASSERT_TRUE(a->wait_answer("held-1", 10s));
  ASSERT_EQ(a->acks_of("held-1").size(), 1u);
  EXPECT_EQ(a->acks_of("held-1")[0].seq, 1);
}

// Many senders, direct and group chats spread over the writers: everything
// stored once and acked, gapless, and each sender's messages in each chat
// stored in the order they were sent.
TEST_F(BridgeWriters, EverySendersOrderPerChatHoldsAcrossWriters) {
  constexpr int kUsers = 8;
  constexpr int kPerUser = 300;
  std::vector<storage::User> users;
  std::vector<std::int64_t> uids;
  for (int i = 0; i < kUsers; ++i) {
    users.push_back(make_user("writer" + std::to_string(i)));
    uids.push_back(users.back().id);
  }
  // Four groups of every user: with the direct chats, 12 chats over 4 writers.
  std::vector<storage::Chat> groups;
  const std::vector<storage::UserId> others(uids.begin() + 1, uids.end());
  for (int g = 0; g < 4; ++g) groups.push_back(store().chats().create_group(uids[0], "g" + std::to_string(g), others));
  std::set<std::uint64_t> writers_used;
  for (const auto& g : groups) writers_used.insert(writer_of(group_topic(g.id, uids[0])));

  auto bridge = start_bridge({"--writers", std::to_string(kWriters)});
  auto devices = clients(uids);
  for (int k = 0; k < kPerUser; ++k) {
    for (std::size_t i = 0; i < devices.size(); ++i) {
      // Sequence numbers in the id, zero-padded so that ids sort as sent.
      char id[16];
      std::snprintf(id, sizeof id, "m%05d", k);
      if (k % 2 == 0) {
        const auto to = uids[(i + 1) % uids.size()];
        writers_used.insert(writer_of(direct_topic(to, uids[i])));
        devices[i]->send(direct_topic(to, uids[i]), id);
      } else {
        devices[i]->send(group_topic(groups[static_cast<std::size_t>(k / 2) % groups.size()].id, uids[i]), id);
      }
    }
  }
  for (const auto& d : devices) ASSERT_TRUE(d->wait_all_answered(60s));
  ASSERT_GE(writers_used.size(), 2u) << "the traffic did not reach two writers: the test tests nothing";

  EXPECT_EQ(check_messages_consistent(), kUsers * kPerUser) << "lost or duplicated";
  // Within each (chat, sender), seq order is send order.
  EXPECT_EQ(psql("SELECT count(*) FROM (SELECT client_msg_id, lag(client_msg_id) OVER "
                 "(PARTITION BY chat_id, sender_id ORDER BY seq) AS before FROM messages) x "
                 "WHERE before > client_msg_id"),
            "0")
      << "a sender's messages stored out of order in a chat";
  for (const auto& d : devices) EXPECT_EQ(d->unacked(), 0u);
  EXPECT_EQ(bridge->metric("chat_bridge_messages_stored_total"), kUsers * kPerUser);
  EXPECT_EQ(bridge->metric("chat_bridge_messages_dropped_total"), 0);
}

}  // namespace
}  // namespace chat::bridge::testing
