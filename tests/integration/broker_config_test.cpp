// The project's broker-config/mosquitto.conf, run by a real mosquitto: stock
// clients talk through it, persistent sessions survive a restart, and the
// limits chosen for chat are the ones in force.
#include "chat/testing/environment.hpp"
#include "chat/testing/mosquitto_broker.hpp"
#include "chat/testing/mqtt_test_client.hpp"
#include "chat/testing/process.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace chat::testing {
namespace {

std::string port_of(const MosquittoBroker& broker) { return std::to_string(broker.port()); }

const MqttConnectOptions kPersistentSession{.clean = false, .session_expiry_s = 3600};

// A device that subscribed once and went offline: its session stays in the broker.
bool leave_offline_session(MosquittoBroker& broker, const std::string& client_id, const std::string& filter) {
  MqttTestClient device(broker.uri(), client_id);
  if (device.connect(kPersistentSession) != 0 || device.subscribe(filter, 1) > 1) return false;
  device.disconnect();
  return true;
}

TEST(BrokerConfig, StockClientsTalkThroughTheBroker) {
  MosquittoBroker broker;
  // A retained message lets the subscriber start after the publisher without a race.
  run_checked({"mosquitto_pub", "-h", "127.0.0.1", "-p", port_of(broker), "-i", "1:cli", "-t", "presence/1", "-m",
               R"({"online":true})", "-q", "1", "-r"});
  const auto out = run_checked({"mosquitto_sub", "-h", "127.0.0.1", "-p", port_of(broker), "-i", "2:cli", "-t",
                                "presence/1", "-C", "1", "-W", "5"});
  EXPECT_EQ(out, "{\"online\":true}\n");
}

TEST(BrokerConfig, ListensOnLoopbackOnly) {
  MosquittoBroker broker;
  const auto config = read_file(broker.config_path());
  EXPECT_NE(config.find("listener " + port_of(broker) + " 127.0.0.1"), std::string::npos);
  const auto sockets = run_checked({"ss", "-Hltn", "sport = :" + port_of(broker)});
  EXPECT_NE(sockets.find("127.0.0.1:" + port_of(broker)), std::string::npos) << sockets;
  EXPECT_EQ(sockets.find("0.0.0.0:" + port_of(broker)), std::string::npos) << sockets;
  EXPECT_EQ(sockets.find("*:" + port_of(broker)), std::string::npos) << sockets;
}

TEST(BrokerConfig, QueuedMessagesOfAnOfflineDeviceSurviveABrokerRestart) {
  MosquittoBroker broker;
  ASSERT_TRUE(leave_offline_session(broker, "2:phone", "dm/2/#"));
  MqttTestClient sender(broker.uri(), "1:phone");
  ASSERT_EQ(sender.connect(), 0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(sender.publish("dm/2/msg/1", R"({"id":"m)" + std::to_string(i) + R"(","type":"text"})", 1), 0);
  }
  sender.disconnect();

  broker.stop();  // SIGTERM: mosquitto writes its persistence file
  broker.start();

  MqttTestClient device(broker.uri(), "2:phone");
  ASSERT_EQ(device.connect(kPersistentSession), 0);
  for (int i = 0; i < 3; ++i) {
    const auto msg = device.next_message(std::chrono::seconds(5));
    ASSERT_TRUE(msg.has_value()) << "message " << i << " lost across the restart\n" << broker.log();
    EXPECT_EQ(msg->topic, "dm/2/msg/1");
    EXPECT_NE(msg->payload.find("\"m" + std::to_string(i) + "\""), std::string::npos);
  }
}

TEST(BrokerConfig, TypingIndicatorsAreNotQueuedForOfflineDevices) {
  MosquittoBroker broker;
  ASSERT_TRUE(leave_offline_session(broker, "2:phone", "dm/2/#"));
  MqttTestClient sender(broker.uri(), "1:phone");
  ASSERT_EQ(sender.connect(), 0);
  ASSERT_EQ(sender.publish("dm/2/typing/1", "{}", 0), 0);
  ASSERT_EQ(sender.publish("dm/2/msg/1", R"({"id":"after","type":"text"})", 1), 0);

  MqttTestClient device(broker.uri(), "2:phone");
  ASSERT_EQ(device.connect(kPersistentSession), 0);
  const auto msg = device.next_message(std::chrono::seconds(5));
  ASSERT_TRUE(msg.has_value());
  EXPECT_EQ(msg->topic, "dm/2/msg/1") << "a QoS 0 typing event was queued for an offline device";
}

// Above max_packet_size the broker does not read the packet into memory and
// the sender is disconnected: it hears of it (no silent drop), and a phone
// cannot make the broker hold an arbitrarily large packet.
TEST(BrokerConfig, OversizedPacketDisconnectsItsSenderUndelivered) {
  MosquittoBroker broker;
  MqttTestClient receiver(broker.uri(), "2:phone");
  ASSERT_EQ(receiver.connect(), 0);
  ASSERT_LE(receiver.subscribe("dm/2/#", 1), 1);
  for (const int version : {4, 5}) {
    MqttTestClient sender(broker.uri(), "1:phone");
    ASSERT_EQ(sender.connect({.mqtt_version = version}), 0);
    EXPECT_NE(sender.publish("dm/2/msg/1", std::string(262144 + 1, 'x'), 1), 0) << "MQTT version " << version;
    EXPECT_TRUE(wait_until([&] { return !sender.connected(); }, std::chrono::seconds(5)))
        << "MQTT version " << version << ": the sender of an oversized packet is disconnected";
  }
  // Below it the broker itself refuses nothing: the auth plugin's size limit
  // and its nack apply there (auth_plugin_test.cpp); without the plugin the
  // payload is delivered.
  MqttTestClient sender(broker.uri(), "1:phone");
  ASSERT_EQ(sender.connect(), 0);
  ASSERT_EQ(sender.publish("dm/2/msg/1", std::string(200000, 'y'), 1), 0);
  const auto msg = receiver.next_message(std::chrono::seconds(5));
  ASSERT_TRUE(msg.has_value());
  EXPECT_EQ(msg->payload.size(), 200000u) << "the first delivery is the one below the limit";
}

// The contract speaks QoS 0 and 1 only: QoS 2 would have the broker keep
// per-message handshake state for every client that asks.
TEST(BrokerConfig, QosTwoIsNotSpoken) {
  MosquittoBroker broker;
  MqttTestClient receiver(broker.uri(), "2:phone");
  ASSERT_EQ(receiver.connect(), 0);
  EXPECT_EQ(receiver.subscribe("dm/2/#", 2), 1) << "a QoS 2 subscription is granted as QoS 1";

  // An MQTT 3.1.1 client does not learn the limit; its QoS 2 publish ends its connection.
  MqttTestClient sender(broker.uri(), "1:phone");
  ASSERT_EQ(sender.connect({.mqtt_version = 4}), 0);
  sender.publish("dm/2/msg/1", R"({"id":"q2","type":"text"})", 2);
  EXPECT_TRUE(chat::testing::wait_until([&] { return !sender.connected(); }, std::chrono::seconds(5)))
      << "the QoS 2 publisher is still connected";
  // Not delivered: the receiver's first message is one sent after it.
  MqttTestClient marker(broker.uri(), "1:tablet");
  ASSERT_EQ(marker.connect(), 0);
  ASSERT_EQ(marker.publish("dm/2/msg/1", R"({"id":"after","type":"text"})", 1), 0);
  const auto first = receiver.next_message(std::chrono::seconds(5));
  ASSERT_TRUE(first.has_value()) << "the marker did not arrive";
  EXPECT_EQ(first->payload, R"({"id":"after","type":"text"})") << "a QoS 2 publish was delivered";
}

TEST(BrokerConfig, EmptyClientIdIsRefused) {
  MosquittoBroker broker;
  MqttTestClient anonymous(broker.uri(), "");
  EXPECT_NE(anonymous.connect({.mqtt_version = 4}), 0) << "an empty client id was accepted";
}

}  // namespace
}  // namespace chat::testing
