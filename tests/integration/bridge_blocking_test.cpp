// Blocking (issue #15; docs/protocol.md, "Blocking") against the real parts:
// PostgreSQL, mosquitto with the auth plugin, the bridge. The broker refuses a
// blocked user's direct messages, typing and receipts to its blocker from the
// plugin's memory; the bridge refuses it a direct chat with, or adding, the
// blocker; the blocker's presence is hidden from it; groups they share are
// unaffected; the block outlives the plugin's database session and the broker.
//
// Nothing here waits for something not to happen: a refusal is seen as its
// nack, and "never delivered" is checked once a later marker, published by the
// same connection after the refused one, has arrived.
#include "bridge_test_env.hpp"

#include "chat/testing/environment.hpp"

namespace chat::bridge::testing {
namespace {

using nlohmann::json;

std::string topic(const char* root, std::int64_t to, const char* channel, std::int64_t from) {
  return std::string(root) + "/" + std::to_string(to) + "/" + channel + "/" + std::to_string(from);
}
std::string dm(std::int64_t to, std::int64_t from) { return topic("dm", to, "msg", from); }
std::string typing(std::int64_t to, std::int64_t from) { return topic("dm", to, "typing", from); }
std::string receipt(std::int64_t to, std::int64_t from) { return topic("dm", to, "rcpt", from); }
std::string group_msg(std::int64_t chat, std::int64_t from) { return topic("g", chat, "msg", from); }
std::string presence(std::int64_t uid) { return "presence/" + std::to_string(uid); }
std::string st(std::int64_t uid) { return "st/" + std::to_string(uid) + "/phone"; }

// The broker's nacks to this connection for publishes to `t`, in order.
std::vector<json> nacks_for(const ChatClient& device, const std::string& t) {
  std::vector<json> out;
  for (const auto& nack : device.events("nack")) {
    if (nack.value("topic", "") == t) out.push_back(nack);
  }
  return out;
}

bool ok(const json& answer) { return answer.is_object() && answer.value("ok", false); }
std::string error_code(const json& answer) {
  return answer.is_object() && answer.contains("error") ? answer["error"].value("code", "") : "(no answer)";
}

class BridgeBlocking : public BridgeTest {
 protected:
  // user.block commits before it answers; the plugin hears of it through
  // NOTIFY a moment later. The blocked user's typing is refused (a nack) from
  // then on: publish typing until the first refusal comes.
  static bool wait_broker_blocks(ChatClient& blocked, std::int64_t blocker) {
    const std::string t = typing(blocker, blocked.uid());
    return chat::testing::wait_until(
        [&] {
          blocked.publish_raw_nowait(t, "{}");
          return chat::testing::wait_until([&] { return !nacks_for(blocked, t).empty(); }, 50ms);
        },
        10s);
  }
  // And after user.unblock: until the blocker receives the typing again.
  static bool wait_broker_unblocks(ChatClient& blocked, ChatClient& blocker) {
    const std::string t = typing(blocker.uid(), blocked.uid());
    const std::size_t before = blocker.received(t).size();
    return chat::testing::wait_until(
        [&] {
          blocked.publish_raw_nowait(t, "{}");
          return blocker.wait_received(t, before + 1, 50ms);
        },
        10s);
  }
  // A group of these users, owned by the first, each subscribed to it.
  std::int64_t group_of(const std::vector<ChatClient*>& devices) {
    std::vector<std::int64_t> others;
    for (std::size_t i = 1; i < devices.size(); ++i) others.push_back(devices[i]->uid());
    const json created = devices[0]->request("chat.create", {{"title", "shared"}, {"members", others}});
    EXPECT_TRUE(ok(created)) << created;
    const std::int64_t chat = created["result"]["chat"]["id"].get<std::int64_t>();
    for (ChatClient* device : devices) {
      EXPECT_TRUE(device->subscribe_with_retry("g/" + std::to_string(chat) + "/#", 10s));
    }
    return chat;
  }
  // Every test's cast: anna, ben and cleo with a connected device each (a, b,
  // c), and the bridge. Anna's device listens to her direct messages, where
  // what reaches the blocker shows.
  struct Cast {
    storage::User anna, ben, cleo;
    ChatClient& a;
    ChatClient& b;
    ChatClient& c;
  };
  Cast start() {
    const auto anna = make_user("anna");
    const auto ben = make_user("ben");
    const auto cleo = make_user("cleo");
    bridge_ = start_bridge();
    devices_ = clients({anna.id, ben.id, cleo.id});
    devices_[0]->subscribe("dm/" + std::to_string(anna.id) + "/#");
    return {anna, ben, cleo, *devices_[0], *devices_[1], *devices_[2]};
  }
  std::int64_t direct_messages_from(std::int64_t sender) {
    return psql_int(
        "SELECT count(*) FROM messages m JOIN chats c ON c.id = m.chat_id "
        "WHERE c.kind = 'direct' AND m.sender_id = " +
        std::to_string(sender));
  }

  std::unique_ptr<BridgeProcess> bridge_;
  std::vector<std::unique_ptr<ChatClient>> devices_;
};

TEST_F(BridgeBlocking, ABlockedUsersDirectMessagesTypingAndReceiptsNeverReachTheBlocker) {
  const auto [anna, ben, cleo, a, b, c] = start();  // anna blocks ben
  b.subscribe("dm/" + std::to_string(ben.id) + "/#");
  const std::int64_t team = group_of({&a, &b});

  // Before the block: a message of anna's that ben will acknowledge later.
  a.send(dm(ben.id, anna.id), "for-ben");
  ASSERT_TRUE(a.wait_all_answered(10s)) << bridge_->log();
  ASSERT_TRUE(b.wait_received(dm(ben.id, anna.id), 1, 10s));

  ASSERT_TRUE(ok(a.request("user.block", {{"user", ben.id}})));
  ASSERT_TRUE(wait_broker_blocks(b, anna.id));
  // A first marker: whatever ben's typing probes left on the way has arrived.
  b.send(group_msg(team, ben.id), "marker-1");
  ASSERT_TRUE(a.wait_received(group_msg(team, ben.id), 1, 10s));
  const std::size_t typing_before = a.received(typing(anna.id, ben.id)).size();

  b.send(dm(anna.id, ben.id), "blocked-dm");
  b.publish_raw_nowait(typing(anna.id, ben.id), "{}");
  b.publish_raw_nowait(receipt(anna.id, ben.id), R"({"type":"read","refs":[{"id":"for-ben"}]})");
  ASSERT_TRUE(b.wait_answer("blocked-dm", 10s));
  const json nack = json::parse(b.nack_of("blocked-dm").value_or("{}"));
  EXPECT_EQ(nack.value("error", ""), "forbidden") << nack;
  EXPECT_EQ(nack.value("topic", ""), dm(anna.id, ben.id));
  EXPECT_TRUE(b.acks_of("blocked-dm").empty());
  ASSERT_TRUE(chat::testing::wait_until(
      [&blocked = b, refused = receipt(anna.id, ben.id)] { return !nacks_for(blocked, refused).empty(); }, 10s));
  EXPECT_EQ(nacks_for(b, receipt(anna.id, ben.id)).at(0).value("error", ""), "forbidden");

  // The markers: ben's group message, published after the refused ones on the
  // same connection, and cleo's direct message.
  b.send(group_msg(team, ben.id), "marker-2");
  c.send(dm(anna.id, cleo.id), "from-cleo");
  ASSERT_TRUE(a.wait_received(group_msg(team, ben.id), 2, 10s)) << "the shared group is unaffected";
  ASSERT_TRUE(a.wait_received(dm(anna.id, cleo.id), 1, 10s));
  EXPECT_TRUE(a.received(dm(anna.id, ben.id)).empty()) << "the blocked direct message reached the blocker";
  EXPECT_EQ(a.received(typing(anna.id, ben.id)).size(), typing_before) << "blocked typing reached the blocker";
  EXPECT_TRUE(a.received(receipt(anna.id, ben.id)).empty()) << "a blocked receipt reached the blocker";

  // Nothing of it reached the record either: no message, no cursor moved.
  ASSERT_TRUE(b.wait_all_answered(10s));
  ASSERT_TRUE(c.wait_all_answered(10s));
  EXPECT_EQ(direct_messages_from(ben.id), 0);
  EXPECT_EQ(psql("SELECT read_seq FROM chat_members WHERE user_id = " + std::to_string(ben.id) +
                 " AND chat_id = " + std::to_string(a.acks_of("for-ben").at(0).chat)),
            "0");

  // The group works both ways, and the blocker may still write to ben.
  a.send(group_msg(team, anna.id), "to-the-group");
  a.send(dm(ben.id, anna.id), "still-to-ben");
  ASSERT_TRUE(b.wait_received(group_msg(team, anna.id), 1, 10s));
  ASSERT_TRUE(b.wait_received(dm(ben.id, anna.id), 2, 10s));
}

TEST_F(BridgeBlocking, TheRequestsAnswerAsTheContractSays) {
  const auto [anna, ben, cleo, a, b, c] = start();

  EXPECT_EQ(error_code(a.request("user.block", {{"user", anna.id}})), "bad_request");
  EXPECT_EQ(error_code(a.request("user.block", {{"user", 999999}})), "not_found");
  EXPECT_EQ(error_code(a.request("user.unblock", {{"user", 999999}})), "not_found");
  EXPECT_EQ(error_code(a.request("user.block", {{"user", "ben"}})), "bad_request");
  ASSERT_TRUE(ok(a.request("user.block", {{"user", ben.id}})));
  ASSERT_TRUE(ok(a.request("user.block", {{"user", ben.id}}))) << "idempotent";
  ASSERT_TRUE(ok(a.request("user.block", {{"user", cleo.id}})));
  EXPECT_EQ(a.request("user.blocked")["result"], (json{{"users", {ben.id, cleo.id}}}));
  EXPECT_EQ(b.request("user.blocked")["result"], (json{{"users", json::array()}})) << "a block goes one way";
  ASSERT_TRUE(ok(a.request("user.unblock", {{"user", cleo.id}})));
  ASSERT_TRUE(ok(a.request("user.unblock", {{"user", cleo.id}}))) << "idempotent";
  EXPECT_EQ(a.request("user.blocked")["result"], (json{{"users", {ben.id}}}));
  EXPECT_EQ(psql("SELECT count(*) FROM user_blocks"), "1");

  // Ben cannot open a direct chat with anna, nor put her in a group, new or old.
  const json open = b.request("dm.open", {{"user", anna.id}});
  EXPECT_EQ(error_code(open), "forbidden") << open;
  EXPECT_EQ(error_code(b.request("chat.create", {{"title", "t"}, {"members", {anna.id, cleo.id}}})), "forbidden");
  const json own = b.request("chat.create", {{"title", "own"}, {"members", {cleo.id}}});
  ASSERT_TRUE(ok(own)) << own;
  const std::int64_t own_chat = own["result"]["chat"]["id"].get<std::int64_t>();
  EXPECT_EQ(error_code(b.request("chat.add", {{"chat", own_chat}, {"users", {anna.id}}})), "forbidden");
  EXPECT_EQ(psql("SELECT count(*) FROM chat_members WHERE user_id = " + std::to_string(anna.id)), "0")
      << "a refused request changes nothing";
  // Anna may; so may cleo, whom nobody blocks.
  EXPECT_TRUE(ok(a.request("dm.open", {{"user", ben.id}})));
  EXPECT_TRUE(ok(c.request("chat.create", {{"title", "with anna"}, {"members", {anna.id, ben.id}}})));
  EXPECT_TRUE(ok(c.request("dm.open", {{"user", anna.id}})));

  // Unblocked, ben may do both.
  ASSERT_TRUE(ok(a.request("user.unblock", {{"user", ben.id}})));
  EXPECT_TRUE(ok(b.request("dm.open", {{"user", anna.id}})));
  EXPECT_TRUE(ok(b.request("chat.add", {{"chat", own_chat}, {"users", {anna.id}}})));
}

TEST_F(BridgeBlocking, TheBlockersPresenceIsHiddenFromWhomItBlocks) {
  const auto [anna, ben, cleo, a, b, c] = start();  // anna blocks ben; cleo watches anna and herself
  c.subscribe(presence(anna.id));
  c.subscribe(presence(cleo.id));

  ASSERT_TRUE(ok(a.request("user.block", {{"user", ben.id}})));
  ASSERT_TRUE(wait_broker_blocks(b, anna.id));
  a.publish_raw(st(anna.id), "online");
  ASSERT_TRUE(c.wait_received(presence(anna.id), 1, 10s));
  c.publish_raw(st(cleo.id), "online");
  ASSERT_TRUE(c.wait_received(presence(cleo.id), 1, 10s));

  // Retained presence on subscribing: anna's is withheld, cleo's (subscribed
  // to after, so queued after) arrives.
  b.subscribe(presence(anna.id));
  b.subscribe(presence(cleo.id));
  ASSERT_TRUE(b.wait_received(presence(cleo.id), 1, 10s));
  EXPECT_TRUE(b.received(presence(anna.id)).empty()) << b.received(presence(anna.id)).at(0);

  // A live change: anna goes offline. Once cleo has it, the broker has routed
  // it to every subscriber; cleo's own change after it is the marker.
  a.publish_raw(st(anna.id), "offline");
  ASSERT_TRUE(c.wait_received(presence(anna.id), 2, 10s));
  c.publish_raw(st(cleo.id), "offline");
  ASSERT_TRUE(b.wait_received(presence(cleo.id), 2, 10s));
  EXPECT_TRUE(b.received(presence(anna.id)).empty()) << "a presence event reached the blocked user";

  // The query: anna reads as never online to ben, as she is to cleo.
  const json hidden = b.request("presence.get", {{"users", {anna.id}}});
  ASSERT_TRUE(ok(hidden)) << hidden;
  EXPECT_EQ(hidden["result"]["users"],
            json::parse(R"([{"uid":)" + std::to_string(anna.id) + R"(,"online":false,"last_seen":null}])"));
  const json shown = c.request("presence.get", {{"users", {anna.id}}});
  EXPECT_TRUE(shown["result"]["users"][0]["last_seen"].is_number()) << shown;

  // Unblocking restores it: the query, the retained message on a new
  // subscription, and live changes.
  ASSERT_TRUE(ok(a.request("user.unblock", {{"user", ben.id}})));
  ASSERT_TRUE(wait_broker_unblocks(b, a));
  EXPECT_TRUE(b.request("presence.get", {{"users", {anna.id}}})["result"]["users"][0]["last_seen"].is_number());
  b.subscribe(presence(anna.id));
  ASSERT_TRUE(b.wait_received(presence(anna.id), 1, 10s));
  EXPECT_EQ(json::parse(b.received(presence(anna.id)).at(0))["online"], false);
  a.publish_raw(st(anna.id), "online");
  ASSERT_TRUE(b.wait_received(presence(anna.id), 2, 10s));
  EXPECT_EQ(b.received(presence(anna.id)).at(1), R"({"online":true})");
}

TEST_F(BridgeBlocking, UnblockingRestoresDirectMessagesTypingAndReceipts) {
  const auto [anna, ben, cleo, a, b, c] = start();

  ASSERT_TRUE(ok(a.request("user.block", {{"user", ben.id}})));
  ASSERT_TRUE(wait_broker_blocks(b, anna.id));
  b.send(dm(anna.id, ben.id), "while-blocked");
  ASSERT_TRUE(b.wait_answer("while-blocked", 10s));
  EXPECT_TRUE(b.nack_of("while-blocked").has_value());

  ASSERT_TRUE(ok(a.request("user.unblock", {{"user", ben.id}})));
  ASSERT_TRUE(wait_broker_unblocks(b, a)) << "typing passes again";
  b.send(dm(anna.id, ben.id), "after-unblock");
  ASSERT_TRUE(b.wait_answer("after-unblock", 10s));
  EXPECT_EQ(b.acks_of("after-unblock").size(), 1u) << b.nack_of("after-unblock").value_or("");
  ASSERT_TRUE(a.wait_received(dm(anna.id, ben.id), 1, 10s));
  EXPECT_NE(a.received(dm(anna.id, ben.id)).at(0).find("after-unblock"), std::string::npos);
  const std::size_t nacks_before = b.events("nack").size();
  b.publish_raw(receipt(anna.id, ben.id), R"({"type":"read","refs":[{"id":"x"}]})");
  ASSERT_TRUE(a.wait_received(receipt(anna.id, ben.id), 1, 10s));
  EXPECT_EQ(b.events("nack").size(), nacks_before);
}

// The block lives in PostgreSQL; the plugin's memory of it is rebuilt from
// there: when its loader gets a new session (blocks made while it had none
// included) and when the broker starts again.
TEST_F(BridgeBlocking, ABlockSurvivesTheCachesReloadAndABrokerRestart) {
  const auto [anna, ben, cleo, a, b, c] = start();
  const auto occurrences = [](const std::string& log, const std::string& line) {
    std::size_t count = 0;
    for (auto at = log.find(line); at != std::string::npos; at = log.find(line, at + 1)) ++count;
    return count;
  };
  const auto loads = [&] { return occurrences(broker().log(), "membership cache loaded"); };
  ASSERT_EQ(loads(), 1u);

  // The loader loses its session and cannot open a new one while anna blocks
  // ben (over the test's own open session): only the reload can bring it.
  const std::string database = psql("SELECT current_database()");
  const auto admin = [](const std::string& sql) { return cluster().psql("postgres", sql); };
  admin("ALTER DATABASE \"" + database + "\" WITH ALLOW_CONNECTIONS false");
  admin("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = 'chat-auth-cache'");
  store().blocks().block(anna.id, ben.id);
  admin("ALTER DATABASE \"" + database + "\" WITH ALLOW_CONNECTIONS true");
  ASSERT_TRUE(chat::testing::wait_until([&] { return loads() >= 2; }, 15s)) << broker().log();
  b.send(dm(anna.id, ben.id), "after-reload");
  ASSERT_TRUE(b.wait_answer("after-reload", 10s));
  EXPECT_EQ(json::parse(b.nack_of("after-reload").value_or("{}")).value("error", ""), "forbidden");

  // A broker restart: the plugin loads its snapshot before the listeners
  // open, so the very first direct message is refused.
  broker().stop();
  broker().start();
  for (auto& device : devices_) device->reconnect_and_resend();
  a.subscribe("dm/" + std::to_string(anna.id) + "/#");
  b.send(dm(anna.id, ben.id), "after-restart");
  ASSERT_TRUE(b.wait_answer("after-restart", 10s));
  EXPECT_EQ(json::parse(b.nack_of("after-restart").value_or("{}")).value("error", ""), "forbidden");
  c.send(dm(anna.id, cleo.id), "marker");
  ASSERT_TRUE(a.wait_received(dm(anna.id, cleo.id), 1, 10s)) << bridge_->log();
  EXPECT_TRUE(a.received(dm(anna.id, ben.id)).empty());
  EXPECT_EQ(direct_messages_from(ben.id), 0);

  // Requests need the bridge back on the new broker (it reconnects with a
  // back-off): a request published before its subscription would go nowhere.
  ASSERT_TRUE(
      chat::testing::wait_until([&] { return occurrences(bridge_->log(), "\"mqtt session connected\"") >= 2; }, 30s))
      << bridge_->log();
  ASSERT_TRUE(bridge_->wait_healthy());
  ASSERT_TRUE(ok(a.request("user.unblock", {{"user", ben.id}})));
  ASSERT_TRUE(wait_broker_unblocks(b, a));
  b.send(dm(anna.id, ben.id), "unblocked");
  ASSERT_TRUE(a.wait_received(dm(anna.id, ben.id), 1, 10s));
}

}  // namespace
}  // namespace chat::bridge::testing
