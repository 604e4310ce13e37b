#include "mqtt_link.hpp"

#include "chat/bridge/backoff.hpp"
#include "chat/bridge/payloads.hpp"

#include <mqtt/async_client.h>

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace chat::bridge {
namespace {

constexpr auto kPushSlice = std::chrono::milliseconds(100);
const std::string kUptimeTopic = "$SYS/broker/uptime";

std::string read_password_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read mqtt_password_file " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string password = text.str();
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  return password;
}

// Paho C never sets TCP_NODELAY: a PUBACK or an ack written while an earlier
// segment is unacknowledged waits for the broker's delayed ACK (40 ms on
// Linux). With a few hundred messages in flight that caps the session at a
// few thousand messages a second and adds 40 ms to acks. Paho does not hand
// out its sockets, so after each connect every TCP socket of the process gets
// the option (the others, libpq's and the HTTP server's, want it as well).
int set_nodelay_on_tcp_sockets() {
  DIR* fds = opendir("/proc/self/fd");
  if (fds == nullptr) return 0;
  int count = 0;
  while (const dirent* entry = readdir(fds)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(fds)) continue;
    int protocol = 0;
    socklen_t size = sizeof protocol;
    if (getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_PROTOCOL, &protocol, &size) != 0 || protocol != IPPROTO_TCP) {
      continue;
    }
    const int on = 1;
    if (setsockopt(static_cast<int>(fd), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == 0) ++count;
  }
  closedir(fds);
  return count;
}

// Waits for room in a full queue: backpressure on the broker, never a drop.
// The wait is in slices so that a stopping bridge is not held; past 1.5 x
// keepalive the broker drops the connection, which the persistent session
// makes harmless (unacknowledged messages are sent again).
template <class T>
bool push_with_backpressure(BatchQueue<T>& queue, T& item, BridgeMetrics& metrics, const std::atomic<bool>& give_up) {
  bool waited = false;
  // offer() leaves the item alone when it fails: the same item is offered again.
  while (!queue.offer(item, waited ? kPushSlice : std::chrono::milliseconds(0))) {
    if (queue.closed() || give_up) return false;
    if (!waited) metrics.backpressure_waits.inc();
    waited = true;
  }
  return true;
}

// The session's SUBACK: from then on the broker routes to the bridge.
class Subscribed : public mqtt::iaction_listener {
 public:
  Subscribed(Health& health, Logger& log) : health_(health), log_(log) {}
  void on_success(const mqtt::token&) override { health_.session_subscribed = true; }
  void on_failure(const mqtt::token&) override { log_.error("subscribe refused", {}); }

 private:
  Health& health_;
  Logger& log_;
};

// Paho calls it when a publish is through: written (QoS 0), acknowledged
// (QoS 1), or failed.
class HandedOver : public mqtt::iaction_listener {
 public:
  explicit HandedOver(Outbound& outbound) : outbound_(outbound) {}
  void on_success(const mqtt::token&) override { outbound_.handed_over_done(); }
  void on_failure(const mqtt::token&) override { outbound_.handed_over_done(); }

 private:
  Outbound& outbound_;
};

}  // namespace

MqttLink::MqttLink(const Config& config, Health& health, BridgeMetrics& metrics, Logger& log,
                   const std::atomic<bool>& stop, const std::atomic<bool>& give_up)
    : config_(config),
      health_(health),
      metrics_(metrics),
      log_(log),
      stop_(stop),
      give_up_(give_up),
      password_(config.mqtt_password_file.empty() ? config.mqtt_password
                                                  : read_password_file(config.mqtt_password_file)) {
  // No client-side persistence: what Paho holds (acks to publish) is
  // recovered by the senders' resends if the bridge dies.
  session_ = std::make_unique<mqtt::async_client>(config.mqtt_uri, config.mqtt_client_id,
                                                  mqtt::create_options(MQTTVERSION_5), nullptr);
  publisher_ = std::make_unique<mqtt::async_client>(config.mqtt_uri, config.mqtt_client_id + "-pub",
                                                    mqtt::create_options_builder()
                                                        .mqtt_version(MQTTVERSION_5)
                                                        .send_while_disconnected(true, true)
                                                        .max_buffered_messages(100000)
                                                        .delete_oldest_messages(true)
                                                        .finalize(),
                                                    nullptr);

  subscribed_ = std::make_unique<Subscribed>(health_, log_);
  session_->set_message_callback(
      [this](const mqtt::const_message_ptr& msg) { on_session_message(msg->get_topic(), msg->get_payload()); });
  session_->set_connected_handler([this](const std::string&) {
    health_.session_connected = true;
    set_nodelay_on_tcp_sockets();
    log_.info("mqtt session connected", {{"client_id", config_.mqtt_client_id}});
    subscribe_session();
  });
  session_->set_connection_lost_handler([this](const std::string& cause) {
    health_.session_connected = false;
    health_.session_subscribed = false;
    log_.warn("mqtt session lost, reconnecting", {{"cause", cause}});
  });
  publisher_->set_message_callback([this](const mqtt::const_message_ptr& msg) {
    on_publisher_message(msg->get_topic(), msg->get_payload(), msg->is_retained());
  });
  publisher_->set_connected_handler([this](const std::string&) {
    health_.publisher_connected = true;
    uptimes_wanted_ = 2;
    if (outbound_ != nullptr) outbound_->reset_window();
    set_nodelay_on_tcp_sockets();
    log_.info("mqtt publisher connected", {{"client_id", config_.mqtt_client_id + "-pub"}});
    try {
      publisher_->subscribe(kUptimeTopic, 0);
    } catch (const mqtt::exception& error) {
      log_.warn("cannot subscribe to the broker's uptime", {{"error", error.what()}});
    }
  });
  publisher_->set_connection_lost_handler([this](const std::string& cause) {
    health_.publisher_connected = false;
    if (outbound_ != nullptr) outbound_->reset_window();
    log_.warn("mqtt publisher lost, reconnecting", {{"cause", cause}});
  });
}

MqttLink::~MqttLink() {
  close_session();
  close_publisher();
}

bool MqttLink::connect_client(mqtt::async_client& client, bool session) {
  mqtt::connect_options_builder builder;
  builder.mqtt_version(MQTTVERSION_5)
      .keep_alive_interval(std::chrono::seconds(config_.mqtt_keepalive_s))
      .connect_timeout(std::chrono::seconds(5))
      .automatic_reconnect(std::chrono::milliseconds(500), std::chrono::seconds(10));
  mqtt::properties props;
  if (session) {
    builder.clean_start(false);
    props.add({mqtt::property::SESSION_EXPIRY_INTERVAL, config_.mqtt_session_expiry_s});
    props.add({mqtt::property::RECEIVE_MAXIMUM, config_.mqtt_receive_maximum});
  } else {
    builder.clean_start(true);
  }
  builder.properties(props);
  if (!config_.mqtt_username.empty()) builder.user_name(config_.mqtt_username);
  if (!password_.empty()) builder.password(password_);
  const auto options = builder.finalize();

  Backoff backoff(BackoffPolicy{std::chrono::milliseconds(200), std::chrono::seconds(5)});
  while (!stop_) {
    try {
      client.connect(options)->wait();
      return true;
    } catch (const mqtt::exception& error) {
      const auto pause = backoff.next();
      if (backoff.attempts() == 1 || backoff.attempts() % 10 == 0) {
        log_.warn("mqtt connect failed, retrying",
                  {{"client_id", client.get_client_id()}, {"error", error.what()}, {"attempt", backoff.attempts()}});
      }
      const auto until = SteadyClock::now() + pause;
      while (!stop_ && SteadyClock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return false;
}

bool MqttLink::connect() {
  // Side by side: Paho C connects a second client of the process only after
  // its receive thread's next poll round (about two seconds). Acks for the
  // session's first messages wait in the publisher's buffer if need be.
  bool publisher_up = false;
  std::thread publisher([&] { publisher_up = connect_client(*publisher_, false); });
  const bool session_up = connect_client(*session_, true);
  publisher.join();
  return publisher_up && session_up;
}

void MqttLink::subscribe_session() {
  // Again on every connect: a no-op for a session the broker kept, and what
  // restores the subscriptions when it did not (first start, expired session).
  const auto filters = subscription_filters(config_.share_group);
  health_.session_subscribed = false;
  try {
    session_->subscribe(mqtt::string_collection::create(filters), std::vector<int>(filters.size(), 1), nullptr,
                        *subscribed_);
  } catch (const mqtt::exception& error) {
    log_.error("subscribe failed", {{"error", error.what()}});
  }
}

void MqttLink::on_session_message(const std::string& topic, const std::string& payload) {
  metrics_.received.inc();
  const auto parsed = parse_topic(topic);
  if (!parsed) {
    metrics_.invalid_topics.inc();
    return;
  }
  if (parsed->kind == TopicKind::request) {
    // Never waits: a full request queue is answered busy, the message path goes on.
    requests_->submit(InboundRequest{parsed->target, parsed->device, payload, SteadyClock::now()});
    return;
  }
  if (parsed->kind == TopicKind::device_state) {
    const auto online = parse_device_state(payload);
    if (!online) {
      log_.debug("unreadable device state ignored", {{"topic", topic}});
      return;
    }
    // Never waits: the latest state per device is kept (PresenceWorker).
    presence_->device_state(storage::DeviceState{parsed->target, parsed->device, *online});
    return;
  }
  Writer& writer = *(*writers_)[shard_key(*parsed) % writers_->size()];
  Inbound item{*parsed, topic, payload, SteadyClock::now()};
  if (!push_with_backpressure(writer.queue(), item, metrics_, give_up_)) {
    // Only while stopping: the message was received but will not be stored;
    // it is not acked, so its sender sends it again.
    metrics_.dropped.inc();
  }
}

void MqttLink::on_publisher_message(const std::string& topic, const std::string& payload, bool retained) {
  if (topic != kUptimeTopic) return;
  const auto uptime = parse_uptime_seconds(payload);
  if (!uptime) return;
  // The retained value first (when there is one), then the first live one;
  // the broker cannot restart without dropping this connection.
  int wanted = uptimes_wanted_.load();
  if (wanted == 0 || (retained && wanted == 1)) return;
  uptimes_wanted_ = retained ? 1 : 0;
  presence_->broker_uptime(BrokerUptime{*uptime, retained, now_ms()});
}

void MqttLink::close_session() {
  if (closing_session_.exchange(true)) return;
  try {
    if (session_->is_connected()) {
      // Session expiry stays as connected: the broker keeps queueing for us.
      session_->disconnect(std::chrono::seconds(5))->wait_for(std::chrono::seconds(10));
    }
  } catch (const mqtt::exception& error) {
    log_.warn("mqtt session disconnect", {{"error", error.what()}});
  }
  health_.session_connected = false;
}

void MqttLink::close_publisher() {
  try {
    if (publisher_ && publisher_->is_connected()) {
      // Up to 5 s for the acks still in flight.
      publisher_->disconnect(std::chrono::seconds(5))->wait_for(std::chrono::seconds(10));
    }
  } catch (const mqtt::exception& error) {
    log_.warn("mqtt publisher disconnect", {{"error", error.what()}});
  }
  health_.publisher_connected = false;
}

void MqttLink::attach_outbound(Outbound& outbound) {
  outbound_ = &outbound;
  handed_over_ = std::make_unique<HandedOver>(outbound);
}

bool MqttLink::publish(const std::string& topic, const std::string& payload, int qos, bool retained) {
  try {
    publisher_->publish(topic, payload.data(), payload.size(), qos, retained, nullptr, *handed_over_);
    return true;
  } catch (const mqtt::exception& error) {
    log_.warn("publish refused", {{"topic", topic}, {"error", error.what()}});
    return false;
  }
}

}  // namespace chat::bridge
