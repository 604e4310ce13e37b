#pragma once
// A synchronous-looking MQTT client for tests, over Paho C++: connect,
// subscribe, publish, and wait for the next message with a timeout.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace chat::testing {

struct MqttConnectOptions {
  std::string username;
  std::string password;
  bool clean = true;         // clean session (3.1.1) / clean start (5)
  int mqtt_version = 5;      // 4 = MQTT 3.1.1, 5 = MQTT 5
  int session_expiry_s = 0;  // MQTT 5 only: keep the session this long after a disconnect
  std::chrono::seconds keepalive{30};
  std::optional<std::string> will_topic;
  std::string will_payload;
};

struct ReceivedMessage {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retained = false;
};

class MqttTestClient {
 public:
  MqttTestClient(const std::string& uri, const std::string& client_id);
  ~MqttTestClient();
  MqttTestClient(const MqttTestClient&) = delete;
  MqttTestClient& operator=(const MqttTestClient&) = delete;

  // Returns the CONNACK reason code (0 = accepted); never throws for a refusal.
  int connect(const MqttConnectOptions& options = {});
  void disconnect();
  bool connected() const;

  // Returns the SUBACK reason code of the filter (0-2 granted QoS, >= 0x80 refused).
  int subscribe(const std::string& filter, int qos = 1);
  // Publishes and waits for completion; returns the PUBACK reason code for QoS 1
  // (0 = success; MQTT 5 error codes such as 0x87 otherwise), 0 for QoS 0.
  int publish(const std::string& topic, const std::string& payload, int qos = 1, bool retain = false);

  std::optional<ReceivedMessage> next_message(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chat::testing
