#pragma once
// The bridge's two MQTT connections, both MQTT 5:
// * the session ({client_id}): clean start false with a session expiry, so
//   the broker queues the shared subscriptions' messages while the bridge is
//   away; it only receives. Its callback parses the topic, copies the payload
//   into a writer's queue (or the presence or request queue) and returns: Paho sends the
//   PUBACK when the callback returns, from one thread for every client.
// * the publisher ({client_id}-pub): acks, nacks, retained presence, request
//   answers and membership events; it
//   stays up while the session is closed during a drain, so what is stored
//   then is still acked. It also reads $SYS/broker/uptime.
#include "chat/bridge/config.hpp"
#include "outbound.hpp"
#include "presence_worker.hpp"
#include "request_worker.hpp"
#include "bridge_metrics.hpp"
#include "clock.hpp"
#include "health.hpp"
#include "inbound.hpp"
#include "publisher.hpp"
#include "observability.hpp"
#include "writer.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace mqtt {
class async_client;
class iaction_listener;
}  // namespace mqtt

namespace chat::bridge {

class MqttLink {
 public:
  MqttLink(const Config& config, Health& health, BridgeMetrics& metrics, Logger& log, const std::atomic<bool>& stop,
           const std::atomic<bool>& give_up);

  // Where the session's messages go; set before connect().
  void attach(std::vector<std::unique_ptr<Writer>>& writers, PresenceWorker& presence, RequestWorker& requests) {
    writers_ = &writers;
    presence_ = &presence;
    requests_ = &requests;
  }
  ~MqttLink();

  // Connects both clients, retrying until they are up or `stop` is set.
  // False when the bridge gave up first.
  bool connect();
  // Ends the session's connection (the broker keeps the session and queues for it).
  void close_session();
  void close_publisher();

  // Hands a message to the publisher client; false when it refused. The
  // outbound queue (set with attach_outbound) hears when the client is
  // through with it.
  bool publish(const std::string& topic, const std::string& payload, int qos, bool retained);
  void attach_outbound(Outbound& outbound);

 private:
  void on_session_message(const std::string& topic, const std::string& payload);
  void on_publisher_message(const std::string& topic, const std::string& payload, bool retained);
  void subscribe_session();
  bool connect_client(mqtt::async_client& client, bool session);

  const Config& config_;
  std::vector<std::unique_ptr<Writer>>* writers_ = nullptr;
  PresenceWorker* presence_ = nullptr;
  RequestWorker* requests_ = nullptr;
  Health& health_;
  BridgeMetrics& metrics_;
  Logger& log_;
  const std::atomic<bool>& stop_;
  const std::atomic<bool>& give_up_;
  std::string password_;
  std::unique_ptr<mqtt::async_client> session_;
  std::unique_ptr<mqtt::async_client> publisher_;
  Outbound* outbound_ = nullptr;
  std::unique_ptr<mqtt::iaction_listener> handed_over_;  // tells outbound_ a publish is through
  std::unique_ptr<mqtt::iaction_listener> subscribed_;   // sets health_.session_subscribed
  std::atomic<bool> closing_session_{false};
  // Uptime messages still wanted since the publisher's last connect: the
  // retained one, then one live one (see PresenceWorker).
  std::atomic<int> uptimes_wanted_{0};
};

}  // namespace chat::bridge
