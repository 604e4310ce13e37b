// Push that reaches phones (docs/protocol.md, "Conversation features: push"):
// devices register over the request path; the bridge POSTs the Matrix push
// gateway format to a real HTTP server standing in for Sygnal; a rejected
// pushkey unregisters its device; event-id-only sends no text; muted chats
// and messages read on another device are not pushed. "Not pushed" is shown
// by a later push that must come after it, never by waiting.
#include "bridge_test_env.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <set>
#include <thread>

namespace chat::bridge::testing {
namespace {

using nlohmann::json;

// A Matrix push gateway on a free loopback port: records every notification,
// answers {"rejected":[…]} with the pushkeys it was told to reject, fails the
// first `fail_first` requests with 500, and holds a request whose event_id is
// `gate_event` until release().
class MatrixGateway {
 public:
  explicit MatrixGateway(int fail_first = 0) : fail_first_(fail_first), port_(chat::testing::free_loopback_port()) {
    server_.Post("/_matrix/push/v1/notify", [this](const httplib::Request& request, httplib::Response& response) {
      std::unique_lock lock(mutex_);
      bodies_.push_back(request.body);
      changed_.notify_all();
      const auto notification = json::parse(request.body).at("notification");
      if (notification.at("event_id") == gate_event_) changed_.wait(lock, [&] { return released_; });
      if (static_cast<int>(bodies_.size()) <= fail_first_) {
        response.status = 500;
        return;
      }
      json rejected = json::array();
      for (const auto& device : notification.at("devices")) {
        if (reject_.contains(device.at("pushkey").get<std::string>())) rejected.push_back(device.at("pushkey"));
      }
      response.set_content(json{{"rejected", rejected}}.dump(), "application/json");
    });
    if (!server_.bind_to_port("127.0.0.1", port_)) throw std::runtime_error("cannot bind the test gateway");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~MatrixGateway() {
    release();
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/_matrix/push/v1/notify"; }
  void reject(const std::string& pushkey) {
    std::lock_guard lock(mutex_);
    reject_.insert(pushkey);
  }
  void hold(const std::string& event_id) {
    std::lock_guard lock(mutex_);
    gate_event_ = event_id;
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  std::vector<json> notifications() const {
    std::lock_guard lock(mutex_);
    std::vector<json> out;
    for (const auto& body : bodies_) out.push_back(json::parse(body).at("notification"));
    return out;
  }
  std::vector<std::string> bodies() const {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  // Waits for a notification with this event_id; returns it (null if none came).
  json wait_event(const std::string& event_id, std::chrono::milliseconds timeout = 15s) const {
    json found;
    chat::testing::wait_until(
        [&] {
          for (const auto& n : notifications()) {
            if (n.at("event_id") == event_id) {
              found = n;
              return true;
            }
          }
          return false;
        },
        timeout);
    return found;
  }

 private:
  int fail_first_;
  std::uint16_t port_;
  httplib::Server server_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> bodies_;
  std::set<std::string> reject_;
  std::string gate_event_;
  bool released_ = false;
};

std::string event_id(std::int64_t chat, std::int64_t seq) { return std::to_string(chat) + ":" + std::to_string(seq); }

std::string dm_topic(std::int64_t to, std::int64_t from) {
  return "dm/" + std::to_string(to) + "/msg/" + std::to_string(from);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class BridgePush : public BridgeTest {
 protected:
  std::unique_ptr<BridgeProcess> start_push_bridge(const MatrixGateway& gateway, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--webhook-url",
                                  gateway.url(),
                                  "--webhook-poll-ms",
                                  "50",
                                  "--webhook-backoff-first-ms",
                                  "100",
                                  "--webhook-backoff-max-ms",
                                  "500"};
    args.insert(args.end(), extra.begin(), extra.end());
    return start_bridge(args);
  }
  static void register_device(ChatClient& c, const std::string& device, const std::string& kind,
                              const std::string& pushkey, const json& data = json::object()) {
    const json answer = c.request("device.register", {{"device", device},
                                                      {"app_id", "com.example.chat." + kind},
                                                      {"kind", kind},
                                                      {"pushkey", pushkey},
                                                      {"data", data}});
    ASSERT_TRUE(answer.value("ok", false)) << answer;
  }
  std::int64_t direct_chat(ChatClient& c, std::int64_t other) {
    const json dm = c.request("dm.open", {{"user", other}});
    EXPECT_TRUE(dm.value("ok", false)) << dm;
    return dm["result"]["chat"]["id"].get<std::int64_t>();
  }
};

TEST_F(BridgePush, AMatrixGatewayGetsTheNotificationWithItsDevicesAndCounts) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");  // no device online: a push is due
  MatrixGateway gateway(/*fail_first=*/1);
  auto bridge = start_push_bridge(gateway);
  auto b = client(bob.id, "laptop");  // connected, never announced online
  register_device(*b, "phone", "fcm", "fcm-key-1", {{"default_payload", {{"k", "v"}}}});
  register_device(*b, "tablet", "apns", "apns-key-1");
  auto a = client(alice.id);
  const auto chat = direct_chat(*a, bob.id);
  a->send(dm_topic(bob.id, alice.id), "d1", "hello bob");
  ASSERT_TRUE(a->wait_all_answered(10s));

  const json n = gateway.wait_event(event_id(chat, 1));
  ASSERT_FALSE(n.is_null()) << bridge->log();
  ASSERT_TRUE(chat::testing::wait_until([&] { return psql("SELECT count(*) FROM notification_outbox") == "0"; }, 10s));
  const auto all = gateway.notifications();
  ASSERT_EQ(all.size(), 2u) << "the first attempt failed (500) and was retried";
  EXPECT_EQ(all[0], all[1]) << "a retry sends the same notification";
  EXPECT_EQ(n["room_id"], std::to_string(chat));
  EXPECT_EQ(n["type"], "m.room.message");
  EXPECT_EQ(n["sender"], std::to_string(alice.id));
  EXPECT_EQ(n["sender_display_name"], "alice");
  EXPECT_FALSE(n.contains("room_name")) << "a direct chat has no name";
  EXPECT_EQ(n["prio"], "high");
  EXPECT_EQ(n["content"], (json{{"msgtype", "m.text"}, {"body", "hello bob"}}));
  EXPECT_EQ(n["counts"], (json{{"unread", 1}}));
  ASSERT_EQ(n["devices"].size(), 2u);
  const auto& phone = n["devices"][0];  // by device id
  EXPECT_EQ(phone["app_id"], "com.example.chat.fcm");
  EXPECT_EQ(phone["pushkey"], "fcm-key-1");
  EXPECT_EQ(phone["data"], (json{{"default_payload", {{"k", "v"}}}}));
  EXPECT_NEAR(phone["pushkey_ts"].get<double>(), static_cast<double>(now_ms()) / 1000.0, 120.0) << "seconds";
  EXPECT_EQ(n["devices"][1]["pushkey"], "apns-key-1");
  EXPECT_EQ(n["devices"][1]["data"], json::object());
  EXPECT_EQ(bridge->metric("chat_bridge_notifications_sent_total"), 1);
  EXPECT_EQ(bridge->metric("chat_bridge_notifications_failed_total"), 1);
}

TEST_F(BridgePush, ARejectedPushkeyUnregistersItsDevice) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  MatrixGateway gateway;
  gateway.reject("expired-key");
  auto bridge = start_push_bridge(gateway);
  auto b = client(bob.id, "laptop");
  register_device(*b, "phone", "fcm", "expired-key");
  register_device(*b, "tablet", "fcm", "live-key");
  auto a = client(alice.id);
  const auto chat = direct_chat(*a, bob.id);

  a->send(dm_topic(bob.id, alice.id), "d1", "one");
  ASSERT_TRUE(a->wait_all_answered(10s));
  ASSERT_EQ(gateway.wait_event(event_id(chat, 1))["devices"].size(), 2u) << bridge->log();
  ASSERT_TRUE(chat::testing::wait_until(
      [&] { return psql("SELECT string_agg(device_id, ',') FROM push_devices") == "tablet"; }, 10s))
      << bridge->log();
  EXPECT_EQ(bridge->metric("chat_bridge_push_devices_rejected_total"), 1);

  a->send(dm_topic(bob.id, alice.id), "d2", "two");
  ASSERT_TRUE(a->wait_all_answered(10s));
  const json second = gateway.wait_event(event_id(chat, 2));
  ASSERT_FALSE(second.is_null()) << bridge->log();
  ASSERT_EQ(second["devices"].size(), 1u);
  EXPECT_EQ(second["devices"][0]["pushkey"], "live-key");
}

TEST_F(BridgePush, EventIdOnlyCarriesNoText) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  const std::vector<storage::UserId> members{bob.id};
  const auto team = store().chats().create_group(alice.id, "secret-team", members);
  MatrixGateway gateway;
  auto bridge = start_push_bridge(gateway, {"--push-content", "event_id_only"});
  auto b = client(bob.id, "laptop");
  register_device(*b, "phone", "fcm", "key-1");
  auto a = client(alice.id);
  a->send("g/" + std::to_string(team.id) + "/msg/" + std::to_string(alice.id), "g1", "the launch code is 1234");
  ASSERT_TRUE(a->wait_all_answered(10s));

  const json n = gateway.wait_event(event_id(team.id, 1));
  ASSERT_FALSE(n.is_null()) << bridge->log();
  EXPECT_EQ(n, (json{{"event_id", event_id(team.id, 1)},
                     {"room_id", std::to_string(team.id)},
                     {"prio", "high"},
                     {"counts", {{"unread", 1}}},
                     {"devices", n["devices"]}}));
  for (const std::string& body : gateway.bodies()) {
    for (const char* leak : {"launch code", "secret-team", "alice", "m.room.message", "sender"}) {
      EXPECT_EQ(body.find(leak), std::string::npos) << leak << " in " << body;
    }
  }
}

TEST_F(BridgePush, ADeviceAskingForEventIdsOnlyGetsThemBesideAFullOne) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  MatrixGateway gateway;
  auto bridge = start_push_bridge(gateway);
  auto b = client(bob.id, "laptop");
  register_device(*b, "phone", "fcm", "full-key");
  register_device(*b, "watch", "apns", "ids-key", {{"format", "event_id_only"}});
  auto a = client(alice.id);
  const auto chat = direct_chat(*a, bob.id);
  a->send(dm_topic(bob.id, alice.id), "d1", "private words");
  ASSERT_TRUE(a->wait_all_answered(10s));
  ASSERT_TRUE(chat::testing::wait_until([&] { return gateway.notifications().size() >= 2; }, 15s)) << bridge->log();
  for (const auto& n : gateway.notifications()) {
    EXPECT_EQ(n["event_id"], event_id(chat, 1));
    ASSERT_EQ(n["devices"].size(), 1u);
    if (n["devices"][0]["pushkey"] == "ids-key") {
      EXPECT_FALSE(n.contains("content"));
      EXPECT_FALSE(n.contains("type"));
      EXPECT_EQ(n.dump().find("private words"), std::string::npos);
    } else {
      EXPECT_EQ(n["content"]["body"], "private words");
    }
  }
}

TEST_F(BridgePush, AMutedChatIsNotPushedUntilUnmuted) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  const auto carol = make_user("carol");
  MatrixGateway gateway;
  auto bridge = start_push_bridge(gateway);
  auto b = client(bob.id, "laptop");
  register_device(*b, "phone", "fcm", "key-1");
  const auto with_alice = direct_chat(*b, alice.id);
  const auto with_carol = direct_chat(*b, carol.id);
  const json muted = b->request("chat.mute", {{"chat", with_alice}, {"until", now_ms() + 3600 * 1000}});
  ASSERT_TRUE(muted.value("ok", false)) << muted;
  EXPECT_EQ(muted["result"]["chat"], with_alice);

  auto a = client(alice.id);
  auto c = client(carol.id);
  a->send(dm_topic(bob.id, alice.id), "d1", "muted one");
  ASSERT_TRUE(a->wait_all_answered(10s));
  // Carol's message is stored after alice's, so its job is decided after it.
  c->send(dm_topic(bob.id, carol.id), "d1", "marker");
  ASSERT_TRUE(c->wait_all_answered(10s));
  ASSERT_FALSE(gateway.wait_event(event_id(with_carol, 1)).is_null()) << bridge->log();
  ASSERT_TRUE(chat::testing::wait_until([&] { return psql("SELECT count(*) FROM notification_outbox") == "0"; }, 10s));
  ASSERT_EQ(gateway.notifications().size(), 1u) << "nothing for the muted chat";
  EXPECT_EQ(bridge->metric("chat_bridge_notifications_skipped_muted_total"), 1);

  // A stranger's chat cannot be muted; 0 unmutes.
  EXPECT_EQ(c->request("chat.mute", {{"chat", with_alice}, {"until", 0}})["error"]["code"], "forbidden");
  EXPECT_EQ(b->request("chat.mute", {{"chat", 999999}, {"until", 0}})["error"]["code"], "not_found");
  ASSERT_TRUE(b->request("chat.mute", {{"chat", with_alice}, {"until", 0}}).value("ok", false));
  a->send(dm_topic(bob.id, alice.id), "d2", "heard");
  ASSERT_TRUE(a->wait_all_answered(10s));
  const json heard = gateway.wait_event(event_id(with_alice, 2));
  ASSERT_FALSE(heard.is_null()) << bridge->log();
  EXPECT_EQ(heard["content"]["body"], "heard");
}

// The mute is read back from the server: another device of the same user
// sees it in its chat list (and in sync's chat.added), an unmute or a mute
// that ran out leaves the field out.
TEST_F(BridgePush, TheChatListCarriesTheCallersMuteWhileItLasts) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  const auto carol = make_user("carol");
  auto bridge = start_bridge();
  auto laptop = client(bob.id, "laptop");
  auto phone = client(bob.id, "phone");
  const auto with_alice = direct_chat(*laptop, alice.id);
  const auto with_carol = direct_chat(*laptop, carol.id);
  const auto entry_of = [](const json& chats, std::int64_t id) {
    for (const auto& chat : chats) {
      if (chat["id"] == id) return chat;
    }
    return json();
  };
  const auto listed = [&](ChatClient& device, std::int64_t id) {
    const json list = device.request("chat.list");
    EXPECT_TRUE(list.value("ok", false)) << list;
    return entry_of(list["result"]["chats"], id);
  };

  const std::int64_t until = now_ms() + 3600 * 1000;
  ASSERT_TRUE(laptop->request("chat.mute", {{"chat", with_alice}, {"until", until}}).value("ok", false));
  const json muted = listed(*phone, with_alice);
  ASSERT_FALSE(muted.is_null());
  EXPECT_EQ(muted["muted_until"], until) << muted;
  EXPECT_FALSE(listed(*phone, with_carol).contains("muted_until")) << "the other chat is not muted";
  // Alice's side of the same chat is hers: bob's mute is not in it.
  auto a = client(alice.id);
  EXPECT_FALSE(listed(*a, with_alice).contains("muted_until"));
  // sync's chat.added carries the same entry.
  const json synced = phone->request("sync", {{"cursors", json::object()}});
  ASSERT_TRUE(synced.value("ok", false)) << synced;
  bool seen = false;
  for (const auto& event : synced["result"]["membership"]) {
    if (event["chat"]["id"] != with_alice) continue;
    seen = true;
    EXPECT_EQ(event["chat"]["muted_until"], until) << event;
  }
  EXPECT_TRUE(seen) << synced;

  // 0 unmutes: the field is gone.
  ASSERT_TRUE(phone->request("chat.mute", {{"chat", with_alice}, {"until", 0}}).value("ok", false));
  EXPECT_FALSE(listed(*laptop, with_alice).contains("muted_until"));

  // A mute that is already over (a time in the past) is stored but not shown.
  ASSERT_TRUE(phone->request("chat.mute", {{"chat", with_alice}, {"until", now_ms() - 1000}}).value("ok", false));
  EXPECT_FALSE(listed(*laptop, with_alice).contains("muted_until"));
  EXPECT_EQ(psql("SELECT muted_until IS NOT NULL FROM chat_members WHERE chat_id = " + std::to_string(with_alice) +
                 " AND user_id = " + std::to_string(bob.id)),
            "t");

  // A mute that runs out while listed: shown first, then left out once the
  // server's clock has passed it.
  const std::int64_t soon = now_ms() + 5000;
  ASSERT_TRUE(phone->request("chat.mute", {{"chat", with_carol}, {"until", soon}}).value("ok", false));
  EXPECT_EQ(listed(*laptop, with_carol)["muted_until"], soon);
  EXPECT_TRUE(chat::testing::wait_until([&] { return !listed(*laptop, with_carol).contains("muted_until"); }, 30s));
  EXPECT_GE(now_ms(), soon);
}

// A mute and an unmute on one device reach the user's other devices at once
// (chat.muted on u/{uid}/ev, `until` as asked, 0 for an unmute), not the
// chat's other member: her own mute, published after bob's, is the only
// chat.muted she gets.
TEST_F(BridgePush, AMuteIsAnEventForTheUsersOtherDevicesOnly) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  auto bridge = start_bridge();
  auto laptop = client(bob.id, "laptop");
  auto phone = client(bob.id, "phone");
  auto a = client(alice.id);
  const auto with_alice = direct_chat(*laptop, alice.id);
  const auto muted_event = [&](std::int64_t until) {
    return json{{"ev", "chat.muted"}, {"chat", with_alice}, {"until", until}};
  };

  const std::int64_t until = now_ms() + 3600 * 1000;
  ASSERT_TRUE(laptop->request("chat.mute", {{"chat", with_alice}, {"until", until}}).value("ok", false));
  EXPECT_TRUE(phone->wait_event_equal(muted_event(until), 10s)) << bridge->log();
  ASSERT_TRUE(laptop->request("chat.mute", {{"chat", with_alice}, {"until", 0}}).value("ok", false));
  EXPECT_TRUE(phone->wait_event_equal(muted_event(0), 10s)) << bridge->log();
  EXPECT_EQ(phone->events("chat.muted"), (std::vector<json>{muted_event(until), muted_event(0)}));
  // The asking device reads the same topic; the answer comes after the event.
  EXPECT_EQ(laptop->events("chat.muted"), (std::vector<json>{muted_event(until), muted_event(0)}));

  // A refused mute tells nobody.
  EXPECT_EQ(a->request("chat.mute", {{"chat", 999999}, {"until", 0}})["error"]["code"], "not_found");
  const std::int64_t hers = now_ms() + 7200 * 1000;
  ASSERT_TRUE(a->request("chat.mute", {{"chat", with_alice}, {"until", hers}}).value("ok", false));
  ASSERT_TRUE(a->wait_event_equal(muted_event(hers), 10s)) << bridge->log();
  EXPECT_EQ(a->events("chat.muted"), std::vector<json>{muted_event(hers)});
}

// A device that mutes and unmutes in quick succession, without waiting for
// the answers, with more request threads than requests at once: one user's
// requests are served one at a time in the order sent, so the answers come
// in that order, the other device hears every chat.muted in that order, and
// what is stored is the last one sent. (Served side by side, the last stored
// could be an earlier request, and the events could cross their commits.)
TEST_F(BridgePush, MutesSentBackToBackAreAppliedAndToldInTheOrderSent) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  auto bridge = start_bridge({"--request-workers", "4"});
  auto laptop = client(bob.id, "laptop");
  auto phone = client(bob.id, "phone");
  const auto with_alice = direct_chat(*laptop, alice.id);

  constexpr int kRequests = 60;
  const std::int64_t base = now_ms() + 3600 * 1000;
  const std::size_t answered_before = laptop->answer_ids().size();  // direct_chat's dm.open
  std::vector<std::string> sent;
  std::vector<json> expected_events;
  for (int i = 0; i < kRequests; ++i) {
    const std::int64_t until = i % 2 == 0 ? base + i : 0;  // mute, unmute, mute, …
    sent.push_back(laptop->request_nowait("chat.mute", {{"chat", with_alice}, {"until", until}}));
    expected_events.push_back(json{{"ev", "chat.muted"}, {"chat", with_alice}, {"until", until}});
  }
  ASSERT_TRUE(laptop->wait_answers(answered_before + sent.size(), 30s)) << bridge->log();
  const auto answered = laptop->answer_ids();
  EXPECT_EQ(std::vector<std::string>(answered.begin() + static_cast<std::ptrdiff_t>(answered_before), answered.end()),
            sent);
  ASSERT_TRUE(phone->wait_event_equal(expected_events.back(), 10s)) << bridge->log();
  EXPECT_EQ(phone->events("chat.muted"), expected_events);
  // The last request sent (an unmute) is what the server holds.
  EXPECT_EQ(psql("SELECT muted_until IS NULL FROM chat_members WHERE chat_id = " + std::to_string(with_alice) +
                 " AND user_id = " + std::to_string(bob.id)),
            "t");
}

TEST_F(BridgePush, AMessageReadOnAnotherDeviceMeanwhileIsNotPushed) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  const auto carol = make_user("carol");
  MatrixGateway gateway;
  // The gateway holds carol's notification: the notifier waits on it, so
  // alice's message waits in the outbox while bob reads it on his laptop.
  auto bridge = start_push_bridge(gateway, {"--webhook-timeout-ms", "60000"});
  auto b = client(bob.id, "laptop");
  register_device(*b, "phone", "fcm", "key-1");
  const auto with_alice = direct_chat(*b, alice.id);
  const auto with_carol = direct_chat(*b, carol.id);
  gateway.hold(event_id(with_carol, 1));

  auto c = client(carol.id);
  c->send(dm_topic(bob.id, carol.id), "d1", "held");
  ASSERT_TRUE(c->wait_all_answered(10s));
  ASSERT_FALSE(gateway.wait_event(event_id(with_carol, 1)).is_null()) << bridge->log();

  auto a = client(alice.id);
  a->send(dm_topic(bob.id, alice.id), "d1", "read it elsewhere");
  ASSERT_TRUE(a->wait_all_answered(10s));
  ASSERT_EQ(psql("SELECT count(*) FROM notification_outbox WHERE chat_id = " + std::to_string(with_alice)), "1");
  b->publish_raw("dm/" + std::to_string(alice.id) + "/rcpt/" + std::to_string(bob.id), R"({"type":"read","seq":1})");
  ASSERT_TRUE(chat::testing::wait_until(
      [&] {
        return psql("SELECT read_seq FROM chat_members WHERE chat_id = " + std::to_string(with_alice) +
                    " AND user_id = " + std::to_string(bob.id)) == "1";
      },
      10s));
  gateway.release();

  // Alice's next message comes after the read one in the outbox: once it is
  // pushed, the read one was decided.
  a->send(dm_topic(bob.id, alice.id), "d2", "unread");
  ASSERT_TRUE(a->wait_all_answered(10s));
  ASSERT_FALSE(gateway.wait_event(event_id(with_alice, 2)).is_null()) << bridge->log();
  std::vector<std::string> pushed;
  for (const auto& n : gateway.notifications()) pushed.push_back(n["event_id"]);
  EXPECT_EQ(pushed, (std::vector<std::string>{event_id(with_carol, 1), event_id(with_alice, 2)}));
  EXPECT_EQ(bridge->metric("chat_bridge_notifications_skipped_read_total"), 1);
}

TEST_F(BridgePush, RegistrationsAreCheckedKeptAndMoved) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  MatrixGateway gateway;
  auto bridge = start_push_bridge(gateway);
  auto a = client(alice.id);
  auto b = client(bob.id);

  const json bad =
      a->request("device.register", {{"device", "phone"}, {"app_id", "com.x"}, {"kind", "gcm"}, {"pushkey", "k"}});
  EXPECT_EQ(bad["error"]["code"], "bad_request") << bad;
  EXPECT_EQ(psql("SELECT count(*) FROM push_devices"), "0");

  // Re-registering the same device replaces it and renews pushkey_ts.
  register_device(*a, "phone", "fcm", "old-key");
  psql("UPDATE push_devices SET pushkey_ts = now() - interval '30 days'");
  const json again = a->request("device.register",
                                {{"device", "phone"}, {"app_id", "com.x"}, {"kind", "fcm"}, {"pushkey", "new-key"}});
  ASSERT_TRUE(again.value("ok", false)) << again;
  EXPECT_NEAR(again["result"]["pushkey_ts"].get<double>(), static_cast<double>(now_ms()) / 1000.0, 120.0);
  EXPECT_EQ(psql("SELECT pushkey || ' ' || (pushkey_ts > now() - interval '1 hour') FROM push_devices"),
            "new-key true");

  // The same pushkey registered by another account leaves the first one: the
  // phone now belongs to bob.
  const json moved = b->request("device.register",
                                {{"device", "phone"}, {"app_id", "com.x"}, {"kind", "fcm"}, {"pushkey", "new-key"}});
  ASSERT_TRUE(moved.value("ok", false)) << moved;
  EXPECT_EQ(psql("SELECT string_agg(user_id::text, ',') FROM push_devices"), std::to_string(bob.id));

  // At most 20 registrations per user.
  for (int i = 0; i < 20; ++i) register_device(*a, "d" + std::to_string(i), "webpush", "wp-" + std::to_string(i));
  EXPECT_EQ(
      a->request("device.register",
                 {{"device", "d20"}, {"app_id", "com.x"}, {"kind", "webpush"}, {"pushkey", "wp-20"}})["error"]["code"],
      "conflict");

  const json gone = a->request("device.unregister", {{"device", "d3"}});
  EXPECT_EQ(gone["result"], (json{{"device", "d3"}, {"removed", true}}));
  EXPECT_EQ(a->request("device.unregister", {{"device", "d3"}})["result"]["removed"], false);
  EXPECT_EQ(psql("SELECT count(*) FROM push_devices WHERE user_id = " + std::to_string(alice.id)), "19");
}

}  // namespace
}  // namespace chat::bridge::testing
