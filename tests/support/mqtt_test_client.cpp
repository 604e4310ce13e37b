#include "chat/testing/mqtt_test_client.hpp"

#include <mqtt/async_client.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

namespace chat::testing {
namespace {

// Paho C runs one network thread per process, which waits up to a second in
// poll() on the sockets it already has before it notices a new one: with a
// client already connected, every further connect took about two seconds.
// While a connect is pending, an UNSUBSCRIBE from an already connected client
// (harmless: any broker answers it with an UNSUBACK, the auth plugin always
// allows it) makes that thread's poll() return at once.
std::mutex live_mutex;
std::set<mqtt::async_client*> live_clients;

void wake_network_thread(const mqtt::async_client* except) {
  const std::lock_guard lock(live_mutex);
  for (mqtt::async_client* client : live_clients) {
    if (client == except || !client->is_connected()) continue;
    try {
      client->unsubscribe("$chat-test/wake");
      return;
    } catch (...) {
      // Disconnecting meanwhile: try another one.
    }
  }
}

}  // namespace

struct MqttTestClient::Impl {
  Impl(const std::string& uri, const std::string& client_id, int version)
      : client(uri, client_id, mqtt::create_options(version)) {
    const std::lock_guard lock(live_mutex);
    live_clients.insert(&client);
  }
  ~Impl() {
    const std::lock_guard lock(live_mutex);
    live_clients.erase(&client);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  mqtt::async_client client;
};

MqttTestClient::MqttTestClient(const std::string& uri, const std::string& client_id)
    : impl_(std::make_unique<Impl>(uri, client_id, MQTTVERSION_5)) {}

MqttTestClient::~MqttTestClient() {
  try {
    if (impl_->client.is_connected()) impl_->client.disconnect()->wait_for(std::chrono::seconds(2));
  } catch (...) {
    // The broker may be gone already; nothing to tear down then.
  }
}

int MqttTestClient::connect(const MqttConnectOptions& options) {
  if (options.mqtt_version != 5) {
    // A client created for MQTT 5 cannot speak 3.1.1: make a fresh one.
    const auto uri = impl_->client.get_server_uri();
    const auto id = impl_->client.get_client_id();
    impl_ = std::make_unique<Impl>(uri, id, options.mqtt_version);
  }
  mqtt::connect_options_builder builder;
  builder.mqtt_version(options.mqtt_version)
      .keep_alive_interval(options.keepalive)
      .automatic_reconnect(false)
      .connect_timeout(std::chrono::seconds(5));
  if (options.mqtt_version == 5) {
    builder.clean_start(options.clean);
    mqtt::properties props;
    if (options.session_expiry_s > 0) {
      props.add({mqtt::property::SESSION_EXPIRY_INTERVAL, options.session_expiry_s});
    }
    builder.properties(props);
  } else {
    builder.clean_session(options.clean);
  }
  if (!options.username.empty()) builder.user_name(options.username);
  if (!options.password.empty()) builder.password(options.password);
  if (options.will_topic) {
    builder.will(mqtt::message(*options.will_topic, options.will_payload, 1, false));
  }
  impl_->client.start_consuming();
  try {
    auto token = impl_->client.connect(builder.finalize());
    while (!token->wait_for(std::chrono::milliseconds(20))) wake_network_thread(&impl_->client);
    token->wait();
    return 0;
  } catch (const mqtt::exception& e) {
    const int rc = e.get_reason_code();
    return rc != 0 ? rc : (e.get_return_code() != 0 ? e.get_return_code() : -1);
  }
}

void MqttTestClient::disconnect() {
  if (impl_->client.is_connected()) impl_->client.disconnect()->wait();
}

bool MqttTestClient::connected() const { return impl_->client.is_connected(); }

int MqttTestClient::subscribe(const std::string& filter, int qos) {
  try {
    auto token = impl_->client.subscribe(filter, qos);
    token->wait();
    const auto codes = token->get_subscribe_response().get_reason_codes();
    return codes.empty() ? 0 : static_cast<int>(codes.front());
  } catch (const mqtt::exception& e) {
    return e.get_reason_code() != 0 ? e.get_reason_code() : 0x80;
  }
}

int MqttTestClient::publish(const std::string& topic, const std::string& payload, int qos, bool retain) {
  try {
    auto token = impl_->client.publish(topic, payload.data(), payload.size(), qos, retain);
    token->wait();
    return static_cast<int>(token->get_reason_code());
  } catch (const mqtt::exception& e) {
    return e.get_reason_code() != 0 ? e.get_reason_code() : -1;
  }
}

std::optional<ReceivedMessage> MqttTestClient::next_message(std::chrono::milliseconds timeout) {
  mqtt::const_message_ptr msg;
  while (impl_->client.try_consume_message_for(&msg, timeout)) {
    // A null message is the consumer queue's note of a lost connection: keep waiting.
    if (!msg) continue;
    return ReceivedMessage{msg->get_topic(), msg->to_string(), msg->get_qos(), msg->is_retained()};
  }
  return std::nullopt;
}

}  // namespace chat::testing
