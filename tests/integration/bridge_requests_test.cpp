// Requests over MQTT against the real thing (docs/protocol.md section 4):
// mosquitto with the auth plugin, the chat-bridge binary, PostgreSQL. Each op
// and each error code, the ownership rules, membership changes reaching the
// broker's ACL and the users' event topics, a deleted chat refusing messages.
// (Catching up after the broker dropped a queue: bridge_offline_catch_up_test.cpp.)
#include "bridge_test_env.hpp"

#include "chat/testing/database_clock.hpp"

#include <set>

namespace chat::bridge::testing {
namespace {

using nlohmann::json;

std::string group_topic(std::int64_t chat, std::int64_t from) {
  return "g/" + std::to_string(chat) + "/msg/" + std::to_string(from);
}

std::string error_code(const json& answer) {
  if (!answer.is_object() || answer.value("ok", true)) return "ok";
  return answer["error"].value("code", "?");
}

std::vector<std::int64_t> member_uids(const json& chat) {
  std::vector<std::int64_t> uids;
  for (const auto& m : chat["members"]) uids.push_back(m["uid"].get<std::int64_t>());
  return uids;
}

class BridgeRequests : public BridgeTest {
 protected:
  // A bridge, users of these names, and a connected device for the first `online` of them.
  void start(const std::vector<std::string>& names, std::size_t online) {
    bridge_ = start_bridge();
    std::vector<std::int64_t> uids;
    for (const auto& name : names) {
      users_.push_back(make_user(name));
      if (uids.size() < online) uids.push_back(users_.back().id);
    }
    devices_ = clients(uids);
  }
  std::unique_ptr<BridgeProcess> bridge_;
  std::vector<storage::User> users_;
  std::vector<std::unique_ptr<ChatClient>> devices_;
};

TEST_F(BridgeRequests, EveryOpAnswersPerTheContract) {
  start({"anna", "ben", "cleo"}, 2);
  const auto& [anna, ben, cleo] = std::tie(users_[0], users_[1], users_[2]);
  auto& a = *devices_[0];
  auto& b = *devices_[1];

  // dm.open: the direct chat, created on first use, the same one after.
  const json dm = a.request("dm.open", {{"user", cleo.id}});
  ASSERT_TRUE(dm.value("ok", false)) << dm;
  EXPECT_EQ(dm["id"], "r1");
  EXPECT_EQ(dm["result"]["chat"]["kind"], "direct");
  EXPECT_EQ(member_uids(dm["result"]["chat"]), (std::vector<std::int64_t>{anna.id, cleo.id}));
  const auto dm_id = dm["result"]["chat"]["id"].get<std::int64_t>();
  EXPECT_EQ(a.request("dm.open", {{"user", cleo.id}})["result"]["chat"]["id"], dm_id);

  // chat.create: the caller owns it; every member hears chat.added.
  const json created = a.request("chat.create", {{"title", "team"}, {"members", {ben.id}}});
  ASSERT_TRUE(created.value("ok", false)) << created;
  const json& group = created["result"]["chat"];
  const auto chat = group["id"].get<std::int64_t>();
  EXPECT_EQ(group["kind"], "group");
  EXPECT_EQ(group["title"], "team");
  EXPECT_EQ(group["owner"], anna.id);
  EXPECT_EQ(group["last_seq"], 0);
  EXPECT_EQ(group["members"][0], (json{{"uid", anna.id}, {"role", "owner"}, {"delivered_seq", 0}, {"read_seq", 0}}));
  ASSERT_TRUE(b.wait_event("chat.added", chat, 5s));
  EXPECT_EQ(b.events("chat.added").at(0)["chat"]["members"].size(), 2u);
  ASSERT_TRUE(a.wait_event("chat.added", chat, 5s));

  // Five messages, ben reads two.
  b.subscribe("g/" + std::to_string(chat) + "/#");
  for (int i = 1; i <= 5; ++i) a.send(group_topic(chat, anna.id), "m" + std::to_string(i), "text " + std::to_string(i));
  ASSERT_TRUE(a.wait_all_answered(10s));
  b.publish_raw("g/" + std::to_string(chat) + "/rcpt/" + std::to_string(ben.id), R"({"type":"read","seq":2})");
  ASSERT_TRUE(chat::testing::wait_until(
      [&, ben_id = ben.id] {
        return psql_int("SELECT read_seq FROM chat_members WHERE user_id = " + std::to_string(ben_id)) == 2;
      },
      5s));

  // chat.list: ben's chats with last_seq, unread and its own cursors.
  const json list = b.request("chat.list");
  ASSERT_TRUE(list.value("ok", false)) << list;
  ASSERT_EQ(list["result"]["chats"].size(), 1u);
  const json& entry = list["result"]["chats"][0];
  EXPECT_EQ(entry["id"], chat);
  EXPECT_EQ(entry["last_seq"], 5);
  EXPECT_EQ(entry["unread"], 3);
  EXPECT_EQ(entry["read_seq"], 2);
  EXPECT_EQ(entry["delivered_seq"], 2);
  EXPECT_EQ(entry["role"], "member");
  EXPECT_EQ(list["result"]["more"], false);
  const json anna_list = a.request("chat.list");
  ASSERT_EQ(anna_list["result"]["chats"].size(), 2u);
  EXPECT_EQ(anna_list["result"]["chats"][0]["peer"], cleo.id);  // the direct chat, by id first

  // chat.info: members and their cursors.
  const json info = b.request("chat.info", {{"chat", chat}});
  ASSERT_TRUE(info.value("ok", false)) << info;
  EXPECT_EQ(info["result"]["chat"]["owner"], anna.id);
  EXPECT_EQ(info["result"]["chat"]["members"][1],
            (json{{"uid", ben.id}, {"role", "member"}, {"delivered_seq", 2}, {"read_seq", 2}}));

  // history: newest, before_seq, after_seq, before_ts; in seq order, with "more".
  const json newest = b.request("history", {{"chat", chat}, {"limit", 2}});
  ASSERT_TRUE(newest.value("ok", false)) << newest;
  ASSERT_EQ(newest["result"]["messages"].size(), 2u);
  const json& m4 = newest["result"]["messages"][0];
  EXPECT_EQ(m4["seq"], 4);
  EXPECT_EQ(m4["chat"], chat);
  EXPECT_EQ(m4["from"], anna.id);
  EXPECT_EQ(m4["id"], "m4");
  EXPECT_EQ(m4["type"], "text");
  EXPECT_EQ(m4["text"], "text 4");
  EXPECT_GT(m4["ts"].get<std::int64_t>(), 0);
  EXPECT_EQ(newest["result"]["more"], true);
  const json before = b.request("history", {{"chat", chat}, {"before_seq", 3}, {"limit", 10}});
  ASSERT_EQ(before["result"]["messages"].size(), 2u);
  EXPECT_EQ(before["result"]["messages"][0]["seq"], 1);
  EXPECT_EQ(before["result"]["more"], false);
  const json after = b.request("history", {{"chat", chat}, {"after_seq", 3}});
  ASSERT_EQ(after["result"]["messages"].size(), 2u);
  EXPECT_EQ(after["result"]["messages"][1]["seq"], 5);
  EXPECT_EQ(after["result"]["more"], false);
  const auto later = m4["ts"].get<std::int64_t>() + 3600 * 1000;
  const json by_time = b.request("history", {{"chat", chat}, {"before_ts", later}, {"limit", 3}});
  ASSERT_EQ(by_time["result"]["messages"].size(), 3u) << by_time;
  EXPECT_EQ(by_time["result"]["messages"][0]["seq"], 3);
  EXPECT_EQ(by_time["result"]["more"], true);
  const json too_early = b.request("history", {{"chat", chat}, {"before_ts", 1}});
  EXPECT_TRUE(too_early["result"]["messages"].empty()) << too_early;
  EXPECT_EQ(too_early["result"]["more"], false);

  // A moderated message keeps its seq and says deleted, without content.
  psql("UPDATE messages SET deleted_at = now() WHERE chat_id = " + std::to_string(chat) + " AND seq = 2");
  const json moderated = b.request("history", {{"chat", chat}, {"after_seq", 1}, {"limit", 1}});
  EXPECT_EQ(moderated["result"]["messages"][0]["deleted"], true) << moderated;
  EXPECT_FALSE(moderated["result"]["messages"][0].contains("text"));

  // sync: what is after the cursors, and the chats not listed as added.
  const json synced = b.request("sync", {{"cursors", {{std::to_string(chat), 3}}}});
  ASSERT_TRUE(synced.value("ok", false)) << synced;
  ASSERT_EQ(synced["result"]["chats"].size(), 1u);
  EXPECT_EQ(synced["result"]["chats"][0]["messages"].size(), 2u);
  EXPECT_EQ(synced["result"]["chats"][0]["more"], false);
  EXPECT_TRUE(synced["result"]["membership"].empty());
  EXPECT_EQ(synced["result"]["more"], false);
  const json fresh = a.request("sync", {{"cursors", json::object()}});
  ASSERT_EQ(fresh["result"]["membership"].size(), 2u) << fresh;
  EXPECT_EQ(fresh["result"]["membership"][0]["ev"], "chat.added");

  // presence.get: online and last_seen.
  const json presence = a.request("presence.get", {{"users", {ben.id, cleo.id}}});
  ASSERT_TRUE(presence.value("ok", false)) << presence;
  ASSERT_EQ(presence["result"]["users"].size(), 2u);
  EXPECT_EQ(presence["result"]["users"][1]["uid"], cleo.id);
  EXPECT_EQ(presence["result"]["users"][1]["online"], false);
  EXPECT_TRUE(presence["result"]["users"][1]["last_seen"].is_null());

  // The counter moves after the answer is handed to the publisher, so the
  // last answer can reach us first: wait for it.
  EXPECT_TRUE(chat::testing::wait_until([&] { return bridge_->metric("chat_bridge_requests_total") >= 15; }, 5s))
      << bridge_->metric("chat_bridge_requests_total");
}

TEST_F(BridgeRequests, EveryFailureIsAnAnswerWithACodeAndTheBridgeGoesOn) {
  start({"anna", "ben", "cleo"}, 2);
  const auto& [anna, ben, cleo] = std::tie(users_[0], users_[1], users_[2]);
  auto& a = *devices_[0];
  auto& b = *devices_[1];
  const auto chat =
      a.request("chat.create", {{"title", "team"}, {"members", {ben.id}}})["result"]["chat"]["id"].get<std::int64_t>();
  const auto dm = a.request("dm.open", {{"user", ben.id}})["result"]["chat"]["id"].get<std::int64_t>();

  // Unreadable requests: answered with a null id.
  for (const std::string& payload :
       std::vector<std::string>{"not json", "[]", R"({"op":"chat.list"})", R"({"id":5,"op":"chat.list"})",
                                std::string(40, '[') + std::string(40, ']')}) {
    const json answer = a.request_raw(payload, std::nullopt);
    EXPECT_EQ(error_code(answer), "bad_request") << payload;
    EXPECT_TRUE(answer["id"].is_null()) << payload;
  }
  // Near the broker's limit (64 KiB): read, refused (an unknown argument), answered.
  const json large =
      a.request_raw(R"({"id":"big","op":"chat.list","args":{"pad":")" + std::string(65000, 'x') + "\"}}", "big");
  EXPECT_EQ(error_code(large), "bad_request") << large;

  // bad_request: unknown op, missing or wrong arguments, limits.
  EXPECT_EQ(error_code(a.request("chat.explode")), "bad_request");
  EXPECT_EQ(error_code(a.request("history", {{"chat", chat}, {"limit", 201}})), "bad_request");
  EXPECT_EQ(error_code(a.request("history", {{"chat", chat}, {"limit", -5}})), "bad_request");
  EXPECT_EQ(error_code(a.request("history", {{"chat", "1 OR 1=1"}})), "bad_request");
  EXPECT_EQ(error_code(a.request("chat.add", {{"chat", chat}})), "bad_request");
  EXPECT_EQ(error_code(a.request("dm.open", {{"user", anna.id}})), "bad_request");
  json many = json::array();
  for (int i = 1; i <= 101; ++i) many.push_back(i);
  EXPECT_EQ(error_code(a.request("chat.add", {{"chat", chat}, {"users", many}})), "bad_request");

  // forbidden: not a member; not the owner.
  EXPECT_EQ(error_code(a.request("chat.info", {{"chat", chat}})), "ok");
  auto outsider = client(cleo.id);
  EXPECT_EQ(error_code(outsider->request("chat.info", {{"chat", chat}})), "forbidden");
  EXPECT_EQ(error_code(outsider->request("history", {{"chat", chat}})), "forbidden");
  EXPECT_EQ(error_code(b.request("chat.add", {{"chat", chat}, {"users", {cleo.id}}})), "forbidden");
  EXPECT_EQ(error_code(b.request("chat.remove", {{"chat", chat}, {"users", {anna.id}}})), "forbidden");
  EXPECT_EQ(error_code(b.request("chat.delete", {{"chat", chat}})), "forbidden");

  // not_found: unknown chat, unknown user.
  EXPECT_EQ(error_code(a.request("chat.info", {{"chat", 987654}})), "not_found");
  EXPECT_EQ(error_code(a.request("history", {{"chat", 987654}})), "not_found");
  EXPECT_EQ(error_code(a.request("dm.open", {{"user", 987654}})), "not_found");
  EXPECT_EQ(error_code(a.request("chat.create", {{"title", "x"}, {"members", {987654}}})), "not_found");
  EXPECT_EQ(error_code(a.request("chat.add", {{"chat", chat}, {"users", {987654}}})), "not_found");
  EXPECT_EQ(error_code(a.request("presence.get", {{"users", {987654}}})), "not_found");

  // conflict: a direct chat's members are fixed.
  EXPECT_EQ(error_code(a.request("chat.add", {{"chat", dm}, {"users", {cleo.id}}})), "conflict");
  EXPECT_EQ(error_code(a.request("chat.delete", {{"chat", dm}})), "conflict");

  // SQL-looking text is just text.
  const json odd = a.request("chat.create", {{"title", "'); DROP TABLE chats; --"}});
  ASSERT_TRUE(odd.value("ok", false)) << odd;
  EXPECT_EQ(odd["result"]["chat"]["title"], "'); DROP TABLE chats; --");
  EXPECT_EQ(psql_int("SELECT count(*) FROM chats"), 3);

  // Nothing of this stopped the bridge or the message path.
  a.send(group_topic(chat, anna.id), "still-works");
  ASSERT_TRUE(a.wait_answer("still-works", 10s));
  EXPECT_FALSE(a.acks_of("still-works").empty());
  EXPECT_TRUE(bridge_->running());
  EXPECT_GE(bridge_->metric("chat_bridge_requests_failed_total"), 25);
}

TEST_F(BridgeRequests, OwnershipRulesAndTheOwnerLeaving) {
  start({"anna", "ben", "cleo", "dora"}, 3);
  const auto& [anna, ben, cleo, dora] = std::tie(users_[0], users_[1], users_[2], users_[3]);
  auto& a = *devices_[0];
  auto& b = *devices_[1];
  auto& cl = *devices_[2];
  const auto chat =
      a.request("chat.create", {{"title", "team"}, {"members", {cleo.id}}})["result"]["chat"]["id"].get<std::int64_t>();
  // ben joins after cleo: once the database's clock has passed cleo's joined_at.
  ASSERT_TRUE(chat::testing::wait_database_clock_past(
      [this](const std::string& sql) { return psql(sql); },
      "SELECT max(joined_at) FROM chat_members WHERE chat_id = " + std::to_string(chat)));
  const json added = a.request("chat.add", {{"chat", chat}, {"users", {ben.id, cleo.id}}});
  ASSERT_TRUE(added.value("ok", false)) << added;
  EXPECT_EQ(added["result"]["added"], json::array({ben.id}));  // cleo was a member already
  ASSERT_TRUE(b.wait_event("chat.added", chat, 5s));
  ASSERT_TRUE(cl.wait_event("chat.updated", chat, 5s));

  // Not the owner: refused, nothing changed.
  EXPECT_EQ(error_code(b.request("chat.add", {{"chat", chat}, {"users", {dora.id}}})), "forbidden");
  EXPECT_EQ(error_code(b.request("chat.remove", {{"chat", chat}, {"users", {cleo.id}}})), "forbidden");
  EXPECT_EQ(error_code(b.request("chat.remove", {{"chat", chat}, {"users", {ben.id, cleo.id}}})), "forbidden");
  EXPECT_EQ(error_code(b.request("chat.delete", {{"chat", chat}})), "forbidden");
  EXPECT_EQ(psql_int("SELECT count(*) FROM chat_members WHERE chat_id = " + std::to_string(chat)), 3);

  // A member may remove itself.
  const json left = b.request("chat.remove", {{"chat", chat}, {"users", {ben.id}}});
  ASSERT_TRUE(left.value("ok", false)) << left;
  EXPECT_FALSE(left["result"]["chat"].contains("members"));
  ASSERT_TRUE(b.wait_event("chat.removed", chat, 5s));
  ASSERT_TRUE(a.wait_event("chat.updated", chat, 5s));

  // The owner leaves: the longest-standing member (cleo) owns the chat now.
  ASSERT_TRUE(a.request("chat.remove", {{"chat", chat}, {"users", {anna.id}}}).value("ok", false));
  ASSERT_TRUE(a.wait_event("chat.removed", chat, 5s));
  const json info = cl.request("chat.info", {{"chat", chat}});
  EXPECT_EQ(info["result"]["chat"]["owner"], cleo.id) << info;
  EXPECT_EQ(info["result"]["chat"]["members"][0]["role"], "owner");
  EXPECT_EQ(error_code(a.request("chat.info", {{"chat", chat}})), "forbidden");

  // The new owner adds; the last member leaving deletes the chat.
  ASSERT_TRUE(cl.request("chat.add", {{"chat", chat}, {"users", {dora.id}}}).value("ok", false));
  ASSERT_TRUE(cl.request("chat.remove", {{"chat", chat}, {"users", {dora.id}}}).value("ok", false));
  ASSERT_TRUE(cl.request("chat.remove", {{"chat", chat}, {"users", {cleo.id}}}).value("ok", false));
  EXPECT_EQ(psql("SELECT deleted_at IS NOT NULL FROM chats WHERE id = " + std::to_string(chat)), "t");
  EXPECT_EQ(error_code(cl.request("chat.info", {{"chat", chat}})), "not_found");
}

TEST_F(BridgeRequests, MembershipChangesReachTheBrokerAtOnce) {
  start({"anna", "ben", "cleo", "dora"}, 4);
  const auto& [anna, ben, cleo, dora] = std::tie(users_[0], users_[1], users_[2], users_[3]);
  auto& a = *devices_[0];
  auto& b = *devices_[1];
  auto& cl = *devices_[2];
  auto& d = *devices_[3];
  const auto chat =
      a.request("chat.create", {{"title", "team"}, {"members", {ben.id, cleo.id}}})["result"]["chat"]["id"]
          .get<std::int64_t>();
  const std::string filter = "g/" + std::to_string(chat) + "/#";
  const std::string topic = group_topic(chat, anna.id);
  b.subscribe(filter);
  cl.subscribe(filter);
  a.send(topic, "before");
  ASSERT_TRUE(b.wait_received(topic, 1, 5s));

  // Removed while still subscribed: receives nothing more.
  ASSERT_TRUE(a.request("chat.remove", {{"chat", chat}, {"users", {ben.id}}}).value("ok", false));
  ASSERT_TRUE(b.wait_event("chat.removed", chat, 5s));
  // Added: may subscribe (retrying a refusal while the broker's ACL catches
  // up, as docs/protocol.md tells clients) and receives the next message.
  ASSERT_TRUE(a.request("chat.add", {{"chat", chat}, {"users", {dora.id}}}).value("ok", false));
  ASSERT_TRUE(d.wait_event("chat.added", chat, 5s));
  ASSERT_TRUE(d.subscribe_with_retry(filter, 5s)) << "the added member was never allowed to subscribe";
  a.send(topic, "after");
  ASSERT_TRUE(a.wait_all_answered(10s));
  ASSERT_TRUE(cl.wait_received(topic, 2, 5s));
  ASSERT_TRUE(d.wait_received(topic, 1, 5s)) << "the added member did not receive";
  // And may not publish there any more. The nack is published after "after"
  // was routed, and the broker delivers to ben in order: had "after" been
  // routed to ben, it would have arrived before the nack.
  b.send(group_topic(chat, ben.id), "not-a-member");
  ASSERT_TRUE(b.wait_answer("not-a-member", 5s));
  EXPECT_TRUE(b.nack_of("not-a-member"));
  EXPECT_EQ(b.received(topic).size(), 1u) << "the removed member received a message after its removal";

  // A deleted chat refuses messages (nack) and stores nothing more.
  ASSERT_TRUE(a.request("chat.delete", {{"chat", chat}}).value("ok", false));
  ASSERT_TRUE(cl.wait_event("chat.deleted", chat, 5s));
  ASSERT_TRUE(d.wait_event("chat.deleted", chat, 5s));
  cl.send(group_topic(chat, cleo.id), "too-late");
  ASSERT_TRUE(cl.wait_answer("too-late", 5s));
  ASSERT_TRUE(cl.nack_of("too-late"));
  EXPECT_TRUE(cl.acks_of("too-late").empty());
  EXPECT_EQ(psql_int("SELECT last_seq FROM chats WHERE id = " + std::to_string(chat)), 2);
  // Sync tells a member that listed it.
  const json synced = cl.request("sync", {{"cursors", {{std::to_string(chat), 2}}}});
  ASSERT_EQ(synced["result"]["membership"].size(), 1u) << synced;
  EXPECT_EQ(synced["result"]["membership"][0]["ev"], "chat.deleted");
  const json removed = b.request("sync", {{"cursors", {{std::to_string(chat), 1}}}});
  EXPECT_EQ(removed["result"]["membership"][0]["ev"], "chat.removed") << removed;
}

}  // namespace
}  // namespace chat::bridge::testing
