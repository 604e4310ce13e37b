// The storage calls of the bridge's message path (direct chats, notifying
// append, receipts, presence, the outbox), against a real PostgreSQL, without MQTT.
#include "bridge_test_env.hpp"

#include <thread>

namespace chat::bridge::testing {
namespace {

using storage::ReceiptKind;
using storage::ReceiptUpdate;

class BridgeStore : public BridgeTest {
 protected:
  bool use_auth_plugin() const override { return false; }

  storage::NewMessage text(storage::ChatId chat, storage::UserId from, std::string id) {
    storage::NewMessage m;
    m.chat_id = chat;
    m.sender_id = from;
    m.client_msg_id = std::move(id);
    m.body = R"({"text":"x"})";
    return m;
  }
};

TEST_F(BridgeStore, ResolvesDirectChatsInBulkCreatingThemOnce) {
  const auto a = make_user("alice");
  const auto b = make_user("bob");
  const auto c = make_user("carol");
  const std::vector<storage::UserPair> pairs{{a.id, b.id},   {b.id, a.id},   {a.id, c.id},
                                             {a.id, 999999}, {999998, a.id}, {a.id, a.id}};
  const auto refs = store().chats().resolve_direct_chats(pairs);
  ASSERT_EQ(refs.size(), pairs.size());
  ASSERT_TRUE(refs[0].chat_id);
  EXPECT_EQ(refs[1].chat_id, refs[0].chat_id) << "(a, b) and (b, a) are one chat";
  ASSERT_TRUE(refs[2].chat_id);
  EXPECT_NE(refs[2].chat_id, refs[0].chat_id);
  EXPECT_FALSE(refs[3].chat_id);
  EXPECT_TRUE(refs[3].from_exists);
  EXPECT_FALSE(refs[3].to_exists);
  EXPECT_FALSE(refs[4].chat_id);
  EXPECT_FALSE(refs[4].from_exists);
  EXPECT_FALSE(refs[5].chat_id);
  EXPECT_EQ(store().chats().members(*refs[0].chat_id).size(), 2u);
  // Again, and from two sessions at once: still one chat per pair.
  storage::Store other(conninfo());
  std::vector<storage::DirectChatRef> concurrent;
  std::thread t([&] { concurrent = other.chats().resolve_direct_chats(pairs); });
  const auto again = store().chats().resolve_direct_chats(pairs);
  t.join();
  EXPECT_EQ(again[0].chat_id, refs[0].chat_id);
  EXPECT_EQ(concurrent[2].chat_id, refs[2].chat_id);
  EXPECT_EQ(psql("SELECT count(*) FROM chats WHERE kind = 'direct'"), "2");
}

TEST_F(BridgeStore, NotifyingAppendQueuesOneJobPerOfflineRecipient) {
  const auto a = make_user("alice");
  const auto b = make_user("bob");
  const auto c = make_user("carol");
  const std::vector<storage::UserId> members{b.id, c.id};
  const auto group = store().chats().create_group(a.id, "g", members);
  ASSERT_TRUE(store().delivery().set_device_state(c.id, "phone", true));  // carol is online
  const std::vector<storage::NewMessage> batch{text(group.id, a.id, "m1"), text(group.id, a.id, "m1"),
                                               text(group.id, b.id, "m2")};
  const auto results = store().messages().append_messages_notifying(batch);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[1].status, storage::AppendStatus::duplicate);
  // m1 -> bob (carol online, alice sent it); m2 -> alice. The repeat adds nothing.
  EXPECT_EQ(psql("SELECT string_agg(user_id || ':' || seq, ',' ORDER BY seq) FROM notification_outbox"),
            std::to_string(b.id) + ":1," + std::to_string(a.id) + ":2");
  store().messages().append_messages_notifying(std::vector<storage::NewMessage>{text(group.id, a.id, "m1")});
  EXPECT_EQ(psql("SELECT count(*) FROM notification_outbox"), "2") << "a resend is not notified again";
}

TEST_F(BridgeStore, ClaimsLeaseSkipLockedAndReschedule) {
  const auto a = make_user("alice");
  const auto b = make_user("bob");
  const auto chat =
      store().chats().resolve_direct_chats(std::vector<storage::UserPair>{{a.id, b.id}})[0].chat_id.value();
  for (int i = 0; i < 3; ++i)
    store().messages().append_messages_notifying(
        std::vector<storage::NewMessage>{text(chat, a.id, "m" + std::to_string(i))});
  EXPECT_EQ(store().delivery().notification_backlog(), 3);

  auto first = store().delivery().claim_notifications(2, std::chrono::seconds(60));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].recipient_id, b.id);
  EXPECT_EQ(first[0].sender_id, a.id);
  EXPECT_EQ(first[0].sender_name, "alice");
  EXPECT_EQ(first[0].attempts, 1);
  EXPECT_EQ(first[0].badge, 3);
  EXPECT_FALSE(first[0].already_read);
  // Leased: another worker gets only the third.
  storage::Store other(conninfo());
  const auto second = other.delivery().claim_notifications(10, std::chrono::seconds(60));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_TRUE(other.delivery().claim_notifications(10, std::chrono::seconds(60)).empty());

  store().delivery().finish_notifications(std::vector<std::int64_t>{first[0].id});
  store().delivery().reschedule_notification(first[1].id, std::chrono::milliseconds(0), "HTTP 500");
  const auto retried = store().delivery().claim_notifications(10, std::chrono::seconds(60));
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0].id, first[1].id);
  EXPECT_EQ(retried[0].attempts, 2);
  EXPECT_EQ(psql("SELECT last_error FROM notification_outbox WHERE id = " + std::to_string(first[1].id)), "HTTP 500");

  // Read meanwhile: the claim says so.
  store().delivery().apply_receipts(
      std::vector<ReceiptUpdate>{{.peer_id = a.id, .reader_id = b.id, .kind = ReceiptKind::read, .seq = 3}});
  store().delivery().reschedule_notification(second[0].id, std::chrono::milliseconds(0), "x");
  const auto read = store().delivery().claim_notifications(10, std::chrono::seconds(60));
  ASSERT_EQ(read.size(), 1u);
  EXPECT_TRUE(read[0].already_read);
  EXPECT_EQ(read[0].badge, 0);
}

// The push badge counts unread messages of content only: an edit and a
// reaction after the read cursor are not unread messages.
TEST_F(BridgeStore, TheBadgeCountsMessagesOfContentOnly) {
  const auto a = make_user("alice");
  const auto b = make_user("bob");
  const auto chat =
      store().chats().resolve_direct_chats(std::vector<storage::UserPair>{{a.id, b.id}})[0].chat_id.value();
  storage::NewMessage edit = text(chat, a.id, "e2");
  edit.type = storage::MessageType::edit;
  edit.target = 1;
  edit.edit_text = "edited";
  edit.body = R"({"target":1,"text":"edited"})";
  storage::NewMessage reaction = text(chat, b.id, "r3");
  reaction.type = storage::MessageType::reaction;
  reaction.target = 1;
  reaction.emoji = "👍";
  reaction.body = R"({"target":1,"emoji":"👍"})";
  const std::vector<storage::NewMessage> batch{text(chat, a.id, "t1"), edit, reaction, text(chat, a.id, "t4")};
  for (const auto& result : store().messages().append_messages_notifying(batch)) ASSERT_TRUE(result.accepted());
  const auto claimed = store().delivery().claim_notifications(10, std::chrono::seconds(60));
  ASSERT_EQ(claimed.size(), 2u);  // t1 and t4, for bob
  EXPECT_EQ(claimed[0].recipient_id, b.id);
  EXPECT_EQ(claimed[0].badge, 2);
}

TEST_F(BridgeStore, ReceiptsMoveForwardOnlyAndStayInTheirChat) {
  const auto a = make_user("alice");
  const auto b = make_user("bob");
  const auto chat =
      store().chats().resolve_direct_chats(std::vector<storage::UserPair>{{a.id, b.id}})[0].chat_id.value();
  for (int i = 1; i <= 4; ++i)
    store().messages().append_messages(std::vector<storage::NewMessage>{text(chat, a.id, "m" + std::to_string(i))});
  const auto cursors = [&] {
    return psql("SELECT delivered_seq || '/' || read_seq FROM chat_members WHERE user_id = " + std::to_string(b.id));
  };
  const auto apply = [&](std::vector<ReceiptUpdate> r) { return store().delivery().apply_receipts(r); };
  EXPECT_EQ(apply({{.peer_id = a.id, .reader_id = b.id, .kind = ReceiptKind::read, .seq = 2}}).size(), 1u);
  EXPECT_EQ(cursors(), "2/2");
  // Several in one batch: the newest counts; backwards ones change nothing.
  apply({{.peer_id = a.id, .reader_id = b.id, .kind = ReceiptKind::delivered, .seq = 1},
         {.peer_id = a.id, .reader_id = b.id, .kind = ReceiptKind::delivered, .refs = {{a.id, "m3"}}},
         {.peer_id = a.id, .reader_id = b.id, .kind = ReceiptKind::read, .seq = 1}});
  EXPECT_EQ(cursors(), "3/2");
  EXPECT_TRUE(apply({{.peer_id = a.id, .reader_id = b.id, .kind = ReceiptKind::read, .seq = 1}}).empty());
  // Clamped to last_seq; unknown refs and non-members change nothing.
  apply({{.peer_id = a.id, .reader_id = b.id, .kind = ReceiptKind::read, .seq = 50}});
  EXPECT_EQ(cursors(), "4/4");
  const auto c = make_user("carol");
  EXPECT_TRUE(apply({{.chat_id = chat, .reader_id = c.id, .kind = ReceiptKind::read, .seq = 4},
                     {.peer_id = a.id, .reader_id = b.id, .kind = ReceiptKind::read, .refs = {{a.id, "nope"}}}})
                  .empty());
}

TEST_F(BridgeStore, PresenceFollowsTheDevicesAndStaleStatesAreCleared) {
  const auto a = make_user("alice");
  auto change = store().delivery().set_device_state(a.id, "phone", true);
  ASSERT_TRUE(change);
  EXPECT_TRUE(change->changed());
  EXPECT_TRUE(change->online);
  change = store().delivery().set_device_state(a.id, "laptop", true);
  EXPECT_FALSE(change->changed());
  change = store().delivery().set_device_state(a.id, "phone", false);
  EXPECT_FALSE(change->changed());
  EXPECT_FALSE(change->last_seen_ms);
  change = store().delivery().set_device_state(a.id, "laptop", false);
  EXPECT_TRUE(change->changed());
  EXPECT_FALSE(change->online);
  ASSERT_TRUE(change->last_seen_ms);
  EXPECT_FALSE(store().delivery().set_device_state(999999, "phone", true)) << "unknown user";

  store().delivery().set_device_state(a.id, "phone", true);
  const auto b = make_user("bob");
  psql("INSERT INTO devices (user_id, device_id, online, last_connect_at) VALUES (" + std::to_string(b.id) +
       ", 'old', true, now() - interval '1 hour')");
  const auto cutoff = psql_int("SELECT epoch_ms(now() - interval '10 minutes')");
  const auto cleared = store().delivery().clear_stale_devices(cutoff);
  ASSERT_EQ(cleared.size(), 1u) << "alice's phone connected after the cutoff";
  EXPECT_EQ(cleared[0].user_id, b.id);
  EXPECT_EQ(cleared[0].last_seen_ms, cutoff);
  EXPECT_EQ(psql("SELECT string_agg(device_id, ',') FROM devices WHERE online"), "phone");
  EXPECT_TRUE(store().delivery().clear_stale_devices(cutoff).empty());
}

}  // namespace
}  // namespace chat::bridge::testing
