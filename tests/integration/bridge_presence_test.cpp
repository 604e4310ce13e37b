// Presence follows a user's devices, keeps users.last_seen, and device states
// left stale by a crash are cleared when the bridge starts.
#include "bridge_test_env.hpp"

#include <nlohmann/json.hpp>

namespace chat::bridge::testing {
namespace {

class BridgePresence : public BridgeTest {
 protected:
  static std::string st(std::int64_t uid, const std::string& device) {
    return "st/" + std::to_string(uid) + "/" + device;
  }
  std::string presence_of(ChatClient& watcher, std::int64_t uid, std::size_t nth) {
    const std::string topic = "presence/" + std::to_string(uid);
    if (!watcher.wait_received(topic, nth, 10s)) return "(none)";
    return watcher.received(topic).at(nth - 1);
  }
};

TEST_F(BridgePresence, AUserIsOnlineWhileAnyOfItsDevicesIs) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  auto bridge = start_bridge();
  auto watcher = client(bob.id);
  watcher->subscribe("presence/" + std::to_string(alice.id));

  // Two devices. The phone is a stock mosquitto_sub with the contract's will
  // (killed below, as a phone that drops off the network); the laptop also
  // announces the phone, as the phone's app would after its CONNACK.
  chat::testing::ChildProcess phone({"mosquitto_sub",
                                     "-h",
                                     "127.0.0.1",
                                     "-p",
                                     std::to_string(broker().port()),
                                     "-V",
                                     "mqttv5",
                                     "-i",
                                     std::to_string(alice.id) + ":phone",
                                     "-t",
                                     "u/" + std::to_string(alice.id) + "/ev",
                                     "-u",
                                     alice.username,
                                     "-P",
                                     token(alice.id),
                                     "--will-topic",
                                     st(alice.id, "phone"),
                                     "--will-payload",
                                     "offline",
                                     "--will-qos",
                                     "1"},
                                    (broker().dir() / "phone.log").string());
  auto laptop = client(alice.id, "laptop");
  ASSERT_TRUE(chat::testing::wait_until(
      [&] { return broker().log().find(std::to_string(alice.id) + ":phone") != std::string::npos; }, 10s));
  laptop->publish_raw(st(alice.id, "phone"), "online");
  EXPECT_EQ(presence_of(*watcher, alice.id, 1), R"({"online":true})");
  laptop->publish_raw(st(alice.id, "laptop"), "online");
  ASSERT_TRUE(chat::testing::wait_until(
      [&] {
        return psql("SELECT count(*) FROM devices WHERE online AND user_id = " + std::to_string(alice.id)) == "2";
      },
      10s));

  // The phone drops off the network: the broker publishes its will.
  phone.kill_hard();
  ASSERT_TRUE(chat::testing::wait_until(
      [&] { return psql("SELECT online FROM devices WHERE device_id = 'phone'") == "f"; }, 10s));
  EXPECT_EQ(psql("SELECT last_seen IS NULL FROM users WHERE id = " + std::to_string(alice.id)), "t")
      << "the user went offline while the laptop is still online";

  // The laptop's going offline is the marker: the next presence must be the
  // one it causes (last_seen from its time on), so none came in between
  // while a device was still online.
  const auto before_laptop_offline_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  laptop->publish_raw(st(alice.id, "laptop"), "offline");
  const auto offline = nlohmann::json::parse(presence_of(*watcher, alice.id, 2));
  EXPECT_EQ(offline["online"], false) << "presence changed while a device was online";
  EXPECT_GE(offline["last_seen"].get<std::int64_t>(), before_laptop_offline_ms)
      << "presence changed while a device was online";
  const auto last_seen = psql_int("SELECT epoch_ms(last_seen) FROM users WHERE id = " + std::to_string(alice.id));
  EXPECT_EQ(offline["last_seen"].get<std::int64_t>(), last_seen);

  // Retained: a newcomer reads it at once.
  auto newcomer = client(bob.id, "tablet");
  newcomer->subscribe("presence/" + std::to_string(alice.id));
  EXPECT_EQ(nlohmann::json::parse(presence_of(*newcomer, alice.id, 1)), offline);
}

TEST_F(BridgePresence, DeviceStatesLeftStaleByACrashAreClearedAtStart) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  // Recorded online before this broker started: those connections are gone.
  psql("INSERT INTO devices (user_id, device_id, online, last_connect_at) VALUES (" + std::to_string(alice.id) +
       ", 'phone', true, now() - interval '1 hour')");
  auto watcher = client(bob.id);
  watcher->subscribe("presence/" + std::to_string(alice.id));
  auto bridge = start_bridge();
  ASSERT_TRUE(chat::testing::wait_until([&] { return psql("SELECT count(*) FROM devices WHERE online") == "0"; }, 15s))
      << bridge->log();
  EXPECT_EQ(psql("SELECT last_seen IS NOT NULL FROM users WHERE id = " + std::to_string(alice.id)), "t");
  const auto offline = nlohmann::json::parse(presence_of(*watcher, alice.id, 1));
  EXPECT_EQ(offline["online"], false);

  // A device that connects to this broker stays online through a bridge restart.
  auto b = client(bob.id, "phone");
  b->publish_raw(st(bob.id, "phone"), "online");
  ASSERT_TRUE(chat::testing::wait_until([&] { return psql("SELECT count(*) FROM devices WHERE online") == "1"; }, 10s));
  bridge->kill_hard();
  bridge = start_bridge();
  // The restarted bridge sweeps with the retained uptime at once, then with
  // the broker's next live one (exact): wait for that sweep to have run.
  ASSERT_TRUE(chat::testing::wait_until(
      [&] {
        const std::string log = bridge->log();
        return log.find("\"msg\":\"cleared device states older than the broker's start\"") != std::string::npos &&
               log.find("\"retained_uptime\":false") != std::string::npos;
      },
      20s))
      << bridge->log();
  EXPECT_EQ(psql("SELECT count(*) FROM devices WHERE online"), "1") << bridge->log();
}

TEST_F(BridgePresence, AFloodOfDeviceStatesNeverHoldsMessagesBack) {
  // Twelve thousand device states from one account, more than the bridge ever
  // held waiting (its presence queue had 10 000 places and the MQTT callback
  // waited for room, holding every message behind it), while the database
  // cannot store them: another session holds the flooder's user row. The
  // bridge keeps the latest state per device and goes on acking messages.
  const auto flooder = make_user("flooder");
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  auto bridge = start_bridge();
  auto f = client(flooder.id, "d0");
  auto a = client(alice.id);
  auto watcher = client(bob.id);
  watcher->subscribe("presence/" + std::to_string(flooder.id));

  HeldRow held(conninfo(), "users", flooder.id);

  constexpr int kStates = 12000;
  constexpr int kDevices = 20;
  for (int i = 0; i < kStates; ++i) {
    // Device k's last state is online for even k, offline for odd k.
    const int device = i % kDevices;
    const bool last_round = i >= kStates - kDevices;
    const bool online = last_round ? device % 2 == 0 : (i / kDevices) % 2 == 0;
    f->publish_raw(st(flooder.id, "d" + std::to_string(device)), online ? "online" : "offline");
  }
  // Every state went past the broker to the bridge's session; now a message.
  a->send("dm/" + std::to_string(bob.id) + "/msg/" + std::to_string(alice.id), "after-the-flood");
  EXPECT_TRUE(a->wait_answer("after-the-flood", 20s)) << "a message waited behind device states";
  EXPECT_EQ(a->acks_of("after-the-flood").size(), 1u);

  held.release();
  // The latest state of each device is what is stored.
  ASSERT_TRUE(chat::testing::wait_until(
      [&] {
        return psql("SELECT count(*) FILTER (WHERE online) || '/' || count(*) FROM devices WHERE user_id = " +
                    std::to_string(flooder.id)) == std::to_string(kDevices / 2) + "/" + std::to_string(kDevices);
      },
      20s))
      << bridge->log();
  EXPECT_EQ(psql("SELECT string_agg(device_id, ',' ORDER BY device_id) FROM devices WHERE online AND user_id = " +
                 std::to_string(flooder.id)),
            "d0,d10,d12,d14,d16,d18,d2,d4,d6,d8");
  ASSERT_TRUE(
      chat::testing::wait_until([&] { return bridge->metric("chat_bridge_presence_events_total") >= kStates; }, 20s));
}

}  // namespace
}  // namespace chat::bridge::testing
