#include "mqtt_client.hpp"

#include "event_loop.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <sys/epoll.h>

namespace chat::loadgen {
namespace {

MqttClient& self(void* obj) { return *static_cast<MqttClient*>(obj); }

// tcp://host:port or mqtt://host:port (or host:port).
void parse_uri(const std::string& uri, std::string& host, int& port) {
  std::string rest = uri;
  for (const char* scheme : {"tcp://", "mqtt://"}) {
    if (rest.starts_with(scheme)) rest.erase(0, std::char_traits<char>::length(scheme));
  }
  if (rest.find("://") != std::string::npos) throw std::runtime_error("unsupported URI (tcp:// only): " + uri);
  const auto colon = rest.rfind(':');
  host = colon == std::string::npos ? rest : rest.substr(0, colon);
  port = colon == std::string::npos ? 1883 : std::stoi(rest.substr(colon + 1));
}

}  // namespace

std::string MqttClient::error_text(int code) {
  return std::string(mosquitto_strerror(code)) + " (" + std::to_string(code) + ")";
}

MqttClient::MqttClient(Listener& listener, std::uint32_t index, const std::string& uri, const std::string& client_id,
                       int mqtt_version, int max_inflight)
    : loop_(EventLoop::instance()),
      listener_(listener),
      index_(index),
      client_id_(client_id),
      mqtt_version_(mqtt_version),
      max_inflight_(std::clamp(max_inflight, 1, 65535)) {
  parse_uri(uri, host_, port_);
  mosq_ = mosquitto_new(client_id.c_str(), true, this);
  if (mosq_ == nullptr) throw std::runtime_error("mosquitto_new " + client_id);
  configure();
  loop_.run_sync([this] { loop_.attach(this); });
}

MqttClient::~MqttClient() {
  loop_.run_sync([this] {
    loop_.detach(this);
    mosquitto_destroy(mosq_);  // closes the socket, which leaves the epoll set
    mosq_ = nullptr;
  });
}

// Callbacks and options; again after mosquitto_reinitialise.
void MqttClient::configure() {
  // The loop thread writes: libmosquitto only queues what other threads publish.
  mosquitto_threaded_set(mosq_, true);
  mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, mqtt_version_ == 5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
  // A small PUBLISH or PUBACK must not wait for the peer's delayed ACK (40 ms on Linux).
  mosquitto_int_option(mosq_, MOSQ_OPT_TCP_NODELAY, 1);
  mosquitto_int_option(mosq_, MOSQ_OPT_SEND_MAXIMUM, max_inflight_);
  mosquitto_int_option(mosq_, MOSQ_OPT_RECEIVE_MAXIMUM, 65535);
  mosquitto_connect_v5_callback_set(mosq_, &MqttClient::on_connect);
  mosquitto_disconnect_v5_callback_set(mosq_, &MqttClient::on_disconnect);
  mosquitto_publish_v5_callback_set(mosq_, &MqttClient::on_publish);
  mosquitto_message_v5_callback_set(mosq_, &MqttClient::on_message);
  mosquitto_subscribe_v5_callback_set(mosq_, &MqttClient::on_subscribe);
}

int MqttClient::connect(const ConnectSettings& settings) {
  int rc = MOSQ_ERR_SUCCESS;
  loop_.run_sync([&] {
    settings_ = settings;
    // A connect of the caller's (not a reconnect): its outcome is connect_done.
    ever_connected_ = false;
    connect_reported_ = false;
    reconnect_pending_ = false;
    reconnect_delay_s_ = 1;
    rc = start_connect();
  });
  return rc;
}

// Loop thread. A TCP connect in progress; the CONNECT goes out when the socket is writable.
int MqttClient::start_connect() {
  registered_fd_ = -1;  // reinitialise closes the old socket; its number may come back
  want_out_ = false;
  // A fresh session object: the loadgen's outbox, not the library, publishes unacked messages again.
  mosquitto_reinitialise(mosq_, client_id_.c_str(), settings_.clean, this);
  configure();
  mids_.clear();
  if (!settings_.username.empty()) {
    mosquitto_username_pw_set(mosq_, settings_.username.c_str(),
                              settings_.password.empty() ? nullptr : settings_.password.c_str());
  }
  int rc = MOSQ_ERR_SUCCESS;
  if (mqtt_version_ == 5 && !settings_.clean) {
    // A session expiry is a CONNECT property, which only the blocking connect takes
    // (on loopback the TCP handshake is immediate).
    mosquitto_property* props = nullptr;
    mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, settings_.session_expiry_s);
    rc = mosquitto_connect_bind_v5(mosq_, host_.c_str(), port_, settings_.keepalive_s, nullptr, props);
    mosquitto_property_free_all(&props);
  } else {
    rc = mosquitto_connect_async(mosq_, host_.c_str(), port_, settings_.keepalive_s);
  }
  loop_.register_socket(*this);
  flush();
  return rc;
}

int MqttClient::subscribe(const std::vector<std::string>& filters, int qos, bool no_local) {
  if (!loop_.in_loop_thread()) {
    int rc = MOSQ_ERR_SUCCESS;
    loop_.run_sync([&] { rc = subscribe(filters, qos, no_local); });
    return rc;
  }
  std::vector<char*> topics;
  topics.reserve(filters.size());
  for (const auto& f : filters) topics.push_back(const_cast<char*>(f.c_str()));
  const int options = mqtt_version_ == 5 && no_local ? MQTT_SUB_OPT_NO_LOCAL : 0;
  const int rc = mosquitto_subscribe_multiple(mosq_, nullptr, static_cast<int>(topics.size()), topics.data(), qos,
                                              options, nullptr);
  loop_.mark_dirty(this);
  return rc;
}

int MqttClient::publish(const std::string& topic, const std::string& payload, int qos, std::uint64_t n, bool notify) {
  if (!loop_.in_loop_thread()) {
    int rc = MOSQ_ERR_SUCCESS;
    loop_.run_sync([&] { rc = publish(topic, payload, qos, n, notify); });
    return rc;
  }
  if (!connected()) return MOSQ_ERR_NO_CONN;
  int mid = 0;
  const int rc =
      mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()), payload.data(), qos, false);
  if (rc == MOSQ_ERR_SUCCESS && notify) mids_[mid] = n;
  loop_.mark_dirty(this);
  return rc;
}

void MqttClient::resubscribe_later(std::vector<std::string> filters, int qos, bool no_local) {
  loop_.defer(kResubscribeDelay,
              [this, filters = std::move(filters), qos, no_local] { (void)subscribe(filters, qos, no_local); });
}

int MqttClient::disconnect(int /*timeout_ms*/) {
  int rc = MOSQ_ERR_SUCCESS;
  loop_.run_sync([&] {
    settings_.auto_reconnect = false;
    reconnect_pending_ = false;
    rc = mosquitto_disconnect(mosq_);
    flush();
  });
  return rc;
}

// ------------------------------------------------------------------ loop thread

void MqttClient::readable() {
  // libmosquitto reads about one packet per call (as many as it has QoS 1 messages queued):
  // read on until the socket would block rather than going round the whole loop per packet.
  // Bounded, so one busy client cannot starve the others.
  constexpr int kMaxReadsPerWakeUp = 64;
  for (int i = 0; i < kMaxReadsPerWakeUp; ++i) {
    errno = 0;
    const int rc = mosquitto_loop_read(mosq_, 1);
    if (rc != MOSQ_ERR_SUCCESS) {
      lost(rc);
      return;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;  // how libmosquitto itself sees the end
  }
  flush();  // PUBACKs of what was read, and anything the callbacks published
}

void MqttClient::writable() { flush(); }

void MqttClient::flush() {
  if (mosq_ == nullptr || mosquitto_socket(mosq_) < 0) return;
  if (mosquitto_want_write(mosq_)) {
    const int rc = mosquitto_loop_write(mosq_, 1);
    if (rc != MOSQ_ERR_SUCCESS) {
      lost(rc);
      return;
    }
  }
  const bool want = mosquitto_want_write(mosq_);
  if (want != want_out_ && registered_fd_ >= 0) {
    want_out_ = want;
    epoll_event ev{};
    ev.events = want ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
    ev.data.ptr = this;
    epoll_ctl(loop_.epoll_fd_, EPOLL_CTL_MOD, registered_fd_, &ev);
  }
}

// The socket is gone (libmosquitto closed it and may have called on_disconnect already).
void MqttClient::lost(int rc) {
  registered_fd_ = -1;
  want_out_ = false;
  if (!ever_connected_) {
    // Never got a CONNACK: the broker is unreachable or hung up; that is the connect's outcome.
    settings_.auto_reconnect = false;
    if (!connect_reported_) {
      connect_reported_ = true;
      listener_.connect_done(index_, false, error_text(rc));
    }
    return;
  }
  const bool was_connected = connected_.exchange(false);
  if (!settings_.auto_reconnect) {
    if (was_connected) listener_.disconnected(index_);
    return;
  }
  if (was_connected) listener_.connection_lost(index_);
  if (!reconnect_pending_) {
    reconnect_pending_ = true;
    reconnect_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(reconnect_delay_s_);
    reconnect_delay_s_ = std::min(reconnect_delay_s_ * 2, 4);
  }
}

void MqttClient::timers(std::chrono::steady_clock::time_point now) {
  if (reconnect_pending_ && ever_connected_ && settings_.auto_reconnect && now >= reconnect_at_) {
    reconnect_pending_ = false;
    if (start_connect() != MOSQ_ERR_SUCCESS) lost(MOSQ_ERR_NO_CONN);  // tried again later
    return;
  }
  if (connected() && now >= next_misc_) {
    next_misc_ = now + std::chrono::seconds(1);
    if (mosquitto_loop_misc(mosq_) == MOSQ_ERR_SUCCESS) flush();
  }
}

// ------------------------------------------------------------------ callbacks (loop thread)

void MqttClient::on_connect(mosquitto*, void* obj, int rc, int /*flags*/, const mosquitto_property*) {
  auto& c = self(obj);
  if (rc != 0) {
    if (c.ever_connected_) return;       // a refused reconnect: the socket closes, tried again later
    c.settings_.auto_reconnect = false;  // a refused first connect is final
    c.connect_reported_ = true;
    c.listener_.connect_done(c.index_, false,
                             c.mqtt_version_ == 5 ? mosquitto_reason_string(rc) : mosquitto_connack_string(rc));
    return;
  }
  c.connected_.store(true, std::memory_order_release);
  c.reconnect_delay_s_ = 1;
  if (c.ever_connected_) {
    c.listener_.reconnected(c.index_);
  } else {
    c.ever_connected_ = true;
    c.connect_reported_ = true;
    c.listener_.connect_done(c.index_, true, {});
  }
}

void MqttClient::on_disconnect(mosquitto*, void* obj, int rc, const mosquitto_property*) {
  auto& c = self(obj);
  if (rc == 0) {  // our own DISCONNECT went out
    c.registered_fd_ = -1;
    c.want_out_ = false;
    if (c.connected_.exchange(false)) c.listener_.disconnected(c.index_);
    return;
  }
  c.lost(rc);
}

void MqttClient::on_publish(mosquitto*, void* obj, int mid, int reason, const mosquitto_property*) {
  auto& c = self(obj);
  const auto it = c.mids_.find(mid);
  if (it == c.mids_.end()) return;  // notify = false, or a publish of an earlier session
  const std::uint64_t n = it->second;
  c.mids_.erase(it);
  c.listener_.publish_done(c.index_, n, reason >= 0x80 ? PublishOutcome::rejected : PublishOutcome::acked);
}

void MqttClient::on_message(mosquitto*, void* obj, const mosquitto_message* msg, const mosquitto_property*) {
  auto& c = self(obj);
  c.listener_.message(
      c.index_, msg->topic,
      std::string_view(static_cast<const char*>(msg->payload), static_cast<std::size_t>(msg->payloadlen)));
}

void MqttClient::on_subscribe(mosquitto*, void* obj, int /*mid*/, int count, const int* granted,
                              const mosquitto_property*) {
  auto& c = self(obj);
  bool ok = true;
  for (int i = 0; i < count; ++i) ok = ok && granted[i] < 0x80;
  c.listener_.subscribe_done(c.index_, ok);
}

}  // namespace chat::loadgen
