#pragma once
// A thin layer over libmosquitto (Mosquitto's own client library) for MQTT
// 3.1.1 and 5 alike. Every client of the process is driven by one EventLoop
// thread: the Listener's callbacks run there, one at a time, and must return
// fast. connect / subscribe / publish / disconnect may be called from any
// thread, but libmosquitto itself is only ever called from the loop thread:
// from another thread a call waits for the loop to make it, so nothing depends
// on how completely the library locks its state between threads (e.g. its send
// quota for QoS 1, updated as PUBACKs come in).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

// For mosquitto_property in the callbacks' signatures: its struct tag
// (mqtt5__property) is a reserved identifier, not ours to forward-declare.
#include <mosquitto.h>

namespace chat::loadgen {

class EventLoop;

inline constexpr int kMqttOk = 0;  // MOSQ_ERR_SUCCESS

enum class PublishOutcome : std::uint8_t {
  acked,     // PUBACK (QoS 1) or written to the socket (QoS 0)
  failed,    // never reached the broker (connection lost, client refused): publish again
  rejected,  // the broker answered with an MQTT 5 error reason code: publishing again is pointless
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
  bool clean = true;                   // clean session (3.1.1) / clean start with no session expiry (5)
  std::uint32_t session_expiry_s = 0;  // MQTT 5, when not clean: how long the broker keeps the session
  bool auto_reconnect = true;
  int keepalive_s = 60;
  std::string username;  // empty: anonymous
  std::string password;
};

class MqttClient {
 public:
  // uri: tcp://host:port or mqtt://host:port. max_inflight: QoS 1 publishes the library
  // sends before it queues (the loadgen's own window bounds them first). Throws
  // std::runtime_error when libmosquitto refuses the client.
  MqttClient(Listener& listener, std::uint32_t index, const std::string& uri, const std::string& client_id,
             int mqtt_version, int max_inflight);
  ~MqttClient();
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  std::uint32_t index() const { return index_; }
  const std::string& client_id() const { return client_id_; }
  bool connected() const { return connected_.load(std::memory_order_acquire); }

  // Each returns libmosquitto's code (MOSQ_ERR_SUCCESS = 0); the outcome comes to the listener.
  int connect(const ConnectSettings& settings);
  // no_local (MQTT 5): the broker sends this client none of its own publications.
  int subscribe(const std::vector<std::string>& filters, int qos, bool no_local = false);
  // Message number n comes back in publish_done (unless notify is false).
  int publish(const std::string& topic, const std::string& payload, int qos, std::uint64_t n, bool notify = true);
  int disconnect(int timeout_ms);

  // Loop thread only (a subscribe_done, say): subscribes again after `delay`. On the platform a
  // group made a moment ago may not be in the auth plugin's membership cache yet (it learns from
  // the database's notifications), so a refused subscription is asked again, as a client would.
  static constexpr std::chrono::milliseconds kResubscribeDelay{20};
  void resubscribe_later(std::vector<std::string> filters, int qos, bool no_local);

  static std::string error_text(int code);

 private:
  friend class EventLoop;
  // Loop thread only.
  void readable();
  void writable();
  void flush();  // writes what is queued; asks for EPOLLOUT when the socket is full
  void timers(std::chrono::steady_clock::time_point now);
  void lost(int rc);
  int start_connect();
  void configure();

  static void on_connect(mosquitto*, void* self, int rc, int flags, const mosquitto_property* props);
  static void on_disconnect(mosquitto*, void* self, int rc, const mosquitto_property* props);
  static void on_publish(mosquitto*, void* self, int mid, int reason, const mosquitto_property* props);
  static void on_message(mosquitto*, void* self, const mosquitto_message* msg, const mosquitto_property* props);
  static void on_subscribe(mosquitto*, void* self, int mid, int count, const int* granted,
                           const mosquitto_property* props);

  EventLoop& loop_;
  Listener& listener_;
  std::uint32_t index_;
  std::string client_id_;
  std::string host_;
  int port_ = 1883;
  int mqtt_version_;
  int max_inflight_;
  mosquitto* mosq_ = nullptr;
  ConnectSettings settings_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> dirty_{false};  // queued in the loop's dirty list

  // Loop thread only.
  int registered_fd_ = -1;
  bool want_out_ = false;          // EPOLLOUT asked for
  bool ever_connected_ = false;    // since the caller's last connect()
  bool connect_reported_ = false;  // connect_done was called for it
  bool reconnect_pending_ = false;
  std::chrono::steady_clock::time_point reconnect_at_{};
  int reconnect_delay_s_ = 1;
  std::chrono::steady_clock::time_point next_misc_{};

  std::unordered_map<int, std::uint64_t> mids_;  // loop thread: QoS 1 message id -> the caller's message number
};

}  // namespace chat::loadgen
