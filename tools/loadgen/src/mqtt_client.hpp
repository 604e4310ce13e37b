#pragma once
// A thin layer over Paho MQTT C's asynchronous client (MQTTAsync), for MQTT
// 3.1.1 and 5 alike. Paho runs every callback of every client of the process
// on its own threads, holding its global lock: a Listener must return fast
// and must never call back into a client while holding a lock of its own
// that a publishing thread also takes before calling Paho.
#include <MQTTAsync.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace chat::loadgen {

enum class PublishOutcome : std::uint8_t {
  acked,      // PUBACK (QoS 1) or written to the socket (QoS 0)
  failed,     // never reached the broker (connection lost, client refused): publish again
  rejected,   // the broker answered with an MQTT 5 error reason code: publishing again is pointless
};

class Listener {
 public:
  virtual ~Listener() = default;
  virtual void connect_done(std::uint32_t /*client*/, bool /*ok*/, std::string_view /*why*/) {}
  virtual void subscribe_done(std::uint32_t /*client*/, bool /*ok*/) {}
  virtual void connection_lost(std::uint32_t /*client*/) {}
  virtual void reconnected(std::uint32_t /*client*/) {}
  virtual void message(std::uint32_t /*client*/, std::string_view /*topic*/, std::string_view /*payload*/) {}
  virtual void publish_done(std::uint32_t /*client*/, std::uint64_t /*n*/, PublishOutcome /*outcome*/) {}
  virtual void disconnected(std::uint32_t /*client*/) {}
};

struct ConnectSettings {
  bool clean = true;                 // clean session (3.1.1) / clean start with no session expiry (5)
  std::uint32_t session_expiry_s = 0;   // MQTT 5, when not clean: how long the broker keeps the session
  bool auto_reconnect = true;
  int keepalive_s = 60;
  std::string username;              // empty: anonymous
  std::string password;
};

class MqttClient {
 public:
  // The listener receives publish outcomes for every client of the process: one at a time.
  static void set_publish_listener(Listener* listener);

  // Throws std::runtime_error when Paho refuses the client.
  MqttClient(Listener& listener, std::uint32_t index, const std::string& uri, const std::string& client_id,
             int mqtt_version, int max_buffered);
  ~MqttClient();
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  std::uint32_t index() const { return index_; }
  const std::string& client_id() const { return client_id_; }
  bool connected() const { return connected_.load(std::memory_order_acquire); }

  // Each returns Paho's code (MQTTASYNC_SUCCESS = 0); the outcome comes to the listener.
  int connect(const ConnectSettings& settings);
  // no_local (MQTT 5): the broker sends this client none of its own publications.
  int subscribe(const std::vector<std::string>& filters, int qos, bool no_local = false);
  // Message number n (up to 2^44) comes back in publish_done (unless notify is false).
  int publish(const std::string& topic, const std::string& payload, int qos, std::uint64_t n, bool notify = true);
  int disconnect(int timeout_ms);

  static std::string error_text(int code);

  // Paho C never sets TCP_NODELAY, so a small PUBLISH or PUBACK written while an
  // earlier segment is unacknowledged waits for the peer's delayed ACK (40 ms on
  // Linux): that would be measured as latency of the broker. Sets TCP_NODELAY on
  // every TCP socket of this process (all of them are MQTT clients); returns how many.
  static int set_nodelay_on_all_sockets();

 private:
  static void on_connect_ok(void* ctx, MQTTAsync_successData* data);
  static void on_connect_ok5(void* ctx, MQTTAsync_successData5* data);
  static void on_connect_fail(void* ctx, MQTTAsync_failureData* data);
  static void on_connect_fail5(void* ctx, MQTTAsync_failureData5* data);
  static void on_subscribe_ok(void* ctx, MQTTAsync_successData* data);
  static void on_subscribe_ok5(void* ctx, MQTTAsync_successData5* data);
  static void on_subscribe_fail(void* ctx, MQTTAsync_failureData* data);
  static void on_subscribe_fail5(void* ctx, MQTTAsync_failureData5* data);
  static void on_publish_ok(void* ctx, MQTTAsync_successData* data);
  static void on_publish_ok5(void* ctx, MQTTAsync_successData5* data);
  static void on_publish_fail(void* ctx, MQTTAsync_failureData* data);
  static void on_publish_fail5(void* ctx, MQTTAsync_failureData5* data);
  static void on_disconnect_ok(void* ctx, MQTTAsync_successData* data);
  static void on_disconnect_ok5(void* ctx, MQTTAsync_successData5* data);
  static void on_connection_lost(void* ctx, char* cause);
  static void on_connected(void* ctx, char* cause);
  static int on_message(void* ctx, char* topic, int topic_len, MQTTAsync_message* message);

  Listener& listener_;
  std::uint32_t index_;
  std::string client_id_;
  int mqtt_version_;
  MQTTAsync handle_ = nullptr;
  std::atomic<bool> connected_{false};
  std::atomic<int> subscribe_count_{0};   // filters of the last subscribe
  ConnectSettings settings_;
};

// Paho C's receive thread polls the sockets it knew when the poll began, with a
// one-second timeout: in a quiet process, a new connection's CONNACK waits up
// to a second to be noticed (measured: connect p95 = 1024 ms, a lone client's
// CONNACK after 2 s). A Ticker is one more client that publishes a QoS 0
// `typing` message to itself every millisecond while it runs, so the receive
// loop cycles at least that often. About 1000 tiny messages/s through the
// broker: scenarios stop it while they measure message traffic, which keeps
// the loop busy on its own.
class Ticker final : public Listener {
 public:
  // uid: a user id of no simulated user; the client id is `{uid}:tick`.
  Ticker(const std::string& uri, std::uint64_t uid, int mqtt_version);
  ~Ticker() override;
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  bool start(double timeout_s);   // connects, subscribes, starts ticking
  // Signs the Ticker in (a broker with the auth plugin); before start().
  void set_credentials(std::string username, std::string password) {
    username_ = std::move(username);
    password_ = std::move(password);
  }
  void stop();                    // stops ticking and disconnects

  void connect_done(std::uint32_t, bool ok, std::string_view) override;
  void subscribe_done(std::uint32_t, bool ok) override;

 private:
  std::string topic_;
  std::string username_;
  std::string password_;
  MqttClient client_;
  std::atomic<int> state_{0};   // 1 connected, 2 subscribed, -1 failed
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace chat::loadgen
