#include "mqtt_client.hpp"

#include <MQTTProperties.h>
#include <MQTTReasonCodes.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>

namespace chat::loadgen {
namespace {

std::atomic<Listener*> g_publish_listener{nullptr};

// A publish's context is (client index, message number) packed into the pointer
// value, so Paho carries it without an allocation per message.
constexpr unsigned kIndexBits = 20;
// MQTT control packet type of PUBACK (Paho reports it in failureData5::packet_type).
constexpr int kPubackPacket = 4;

void* pack(std::uint32_t index, std::uint64_t n) {
  return reinterpret_cast<void*>(static_cast<std::uintptr_t>((n << kIndexBits) | index));
}

void unpack(void* ctx, std::uint32_t& index, std::uint64_t& n) {
  const auto v = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(ctx));
  index = static_cast<std::uint32_t>(v & ((std::uint64_t{1} << kIndexBits) - 1));
  n = v >> kIndexBits;
}

MqttClient& self(void* ctx) { return *static_cast<MqttClient*>(ctx); }

}  // namespace

void MqttClient::set_publish_listener(Listener* listener) { g_publish_listener.store(listener); }

std::string MqttClient::error_text(int code) {
  const char* s = MQTTAsync_strerror(code);
  return s != nullptr ? std::string(s) + " (" + std::to_string(code) + ")" : "error " + std::to_string(code);
}

int MqttClient::set_nodelay_on_all_sockets() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  int count = 0;
  const int dir_fd = dirfd(dir);
  while (const dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd_long = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd_long == dir_fd) continue;
    const int fd = static_cast<int>(fd_long);
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) continue;
    if (addr.ss_family != AF_INET && addr.ss_family != AF_INET6) continue;
    int type = 0;
    socklen_t type_len = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 || type != SOCK_STREAM) continue;
    const int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0) ++count;
  }
  closedir(dir);
  return count;
}

MqttClient::MqttClient(Listener& listener, std::uint32_t index, const std::string& uri, const std::string& client_id,
                       int mqtt_version, int max_buffered)
    : listener_(listener), index_(index), client_id_(client_id), mqtt_version_(mqtt_version) {
  if (index >= (1U << kIndexBits)) throw std::runtime_error("too many clients");
  MQTTAsync_createOptions create = MQTTAsync_createOptions_initializer;
  create.MQTTVersion = mqtt_version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
  create.maxBufferedMessages = max_buffered;
  int rc = MQTTAsync_createWithOptions(&handle_, uri.c_str(), client_id.c_str(), MQTTCLIENT_PERSISTENCE_NONE, nullptr,
                                       &create);
  if (rc != MQTTASYNC_SUCCESS) throw std::runtime_error("MQTTAsync_create " + client_id + ": " + error_text(rc));
  rc = MQTTAsync_setCallbacks(handle_, this, &MqttClient::on_connection_lost, &MqttClient::on_message, nullptr);
  if (rc == MQTTASYNC_SUCCESS) rc = MQTTAsync_setConnected(handle_, this, &MqttClient::on_connected);
  if (rc != MQTTASYNC_SUCCESS) {
    MQTTAsync_destroy(&handle_);
    throw std::runtime_error("MQTTAsync_setCallbacks: " + error_text(rc));
  }
}

MqttClient::~MqttClient() {
  if (handle_ != nullptr) MQTTAsync_destroy(&handle_);
}

int MqttClient::connect(const ConnectSettings& settings) {
  settings_ = settings;
  MQTTProperties props = MQTTProperties_initializer;
  MQTTAsync_connectOptions opts = MQTTAsync_connectOptions_initializer;
  if (mqtt_version_ == 5) {
    opts = MQTTAsync_connectOptions_initializer5;
    opts.cleanstart = settings.clean ? 1 : 0;
    if (!settings.clean && settings.session_expiry_s > 0) {
      MQTTProperty p{};
      p.identifier = MQTTPROPERTY_CODE_SESSION_EXPIRY_INTERVAL;
      p.value.integer4 = settings.session_expiry_s;
      MQTTProperties_add(&props, &p);
      opts.connectProperties = &props;
    }
    opts.onSuccess5 = &MqttClient::on_connect_ok5;
    opts.onFailure5 = &MqttClient::on_connect_fail5;
  } else {
    opts.MQTTVersion = MQTTVERSION_3_1_1;
    opts.cleansession = settings.clean ? 1 : 0;
    opts.onSuccess = &MqttClient::on_connect_ok;
    opts.onFailure = &MqttClient::on_connect_fail;
  }
  opts.keepAliveInterval = settings.keepalive_s;
  opts.maxInflight = 65535;   // the load generator's window and the broker's receive maximum bound it
  opts.automaticReconnect = settings.auto_reconnect ? 1 : 0;
  opts.minRetryInterval = 1;
  opts.maxRetryInterval = 4;
  opts.connectTimeout = 30;
  opts.context = this;
  if (!settings.username.empty()) opts.username = settings.username.c_str();
  if (!settings.password.empty()) opts.password = settings.password.c_str();
  const int rc = MQTTAsync_connect(handle_, &opts);   // Paho copies the properties
  MQTTProperties_free(&props);
  return rc;
}

int MqttClient::subscribe(const std::vector<std::string>& filters, int qos, bool no_local) {
  std::vector<char*> topics;
  std::vector<int> qoss(filters.size(), qos);
  for (const auto& f : filters) topics.push_back(const_cast<char*>(f.c_str()));
  MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
  const MQTTSubscribe_options initial = MQTTSubscribe_options_initializer;
  std::vector<MQTTSubscribe_options> options(filters.size(), initial);
  if (mqtt_version_ == 5) {
    if (no_local) {
      for (auto& o : options) o.noLocal = 1;
      ro.subscribeOptionsList = options.data();
      ro.subscribeOptionsCount = static_cast<int>(options.size());
    }
    ro.onSuccess5 = &MqttClient::on_subscribe_ok5;
    ro.onFailure5 = &MqttClient::on_subscribe_fail5;
  } else {
    ro.onSuccess = &MqttClient::on_subscribe_ok;
    ro.onFailure = &MqttClient::on_subscribe_fail;
  }
  ro.context = this;
  subscribe_count_.store(static_cast<int>(topics.size()));
  return MQTTAsync_subscribeMany(handle_, static_cast<int>(topics.size()), topics.data(), qoss.data(), &ro);
}

int MqttClient::publish(const std::string& topic, const std::string& payload, int qos, std::uint64_t n, bool notify) {
  MQTTAsync_message msg = MQTTAsync_message_initializer;
  msg.payload = const_cast<char*>(payload.data());   // Paho copies it
  msg.payloadlen = static_cast<int>(payload.size());
  msg.qos = qos;
  msg.retained = 0;
  if (!notify) return MQTTAsync_sendMessage(handle_, topic.c_str(), &msg, nullptr);
  MQTTAsync_responseOptions ro = MQTTAsync_responseOptions_initializer;
  if (mqtt_version_ == 5) {
    ro.onSuccess5 = &MqttClient::on_publish_ok5;
    ro.onFailure5 = &MqttClient::on_publish_fail5;
  } else {
    ro.onSuccess = &MqttClient::on_publish_ok;
    ro.onFailure = &MqttClient::on_publish_fail;
  }
  ro.context = pack(index_, n);
  return MQTTAsync_sendMessage(handle_, topic.c_str(), &msg, &ro);
}

int MqttClient::disconnect(int timeout_ms) {
  MQTTAsync_disconnectOptions opts = MQTTAsync_disconnectOptions_initializer;
  opts.timeout = timeout_ms;
  opts.context = this;
  if (mqtt_version_ == 5) {
    opts = MQTTAsync_disconnectOptions_initializer5;
    opts.timeout = timeout_ms;
    opts.context = this;
    opts.onSuccess5 = &MqttClient::on_disconnect_ok5;
  } else {
    opts.onSuccess = &MqttClient::on_disconnect_ok;
  }
  return MQTTAsync_disconnect(handle_, &opts);
}

// ------------------------------------------------------------------ callbacks

void MqttClient::on_connect_ok(void* ctx, MQTTAsync_successData* /*data*/) {
  auto& c = self(ctx);
  c.connected_.store(true, std::memory_order_release);
  c.listener_.connect_done(c.index_, true, {});
}

void MqttClient::on_connect_ok5(void* ctx, MQTTAsync_successData5* /*data*/) { on_connect_ok(ctx, nullptr); }

void MqttClient::on_connect_fail(void* ctx, MQTTAsync_failureData* data) {
  auto& c = self(ctx);
  std::string why = data != nullptr ? error_text(data->code) : "connect failed";
  if (data != nullptr && data->message != nullptr) why += ": " + std::string(data->message);
  c.listener_.connect_done(c.index_, false, why);
}

void MqttClient::on_connect_fail5(void* ctx, MQTTAsync_failureData5* data) {
  auto& c = self(ctx);
  std::string why = "connect failed";
  if (data != nullptr) {
    why = error_text(data->code);
    if (data->reasonCode != MQTTREASONCODE_SUCCESS) {
      why += ", reason " + std::string(MQTTReasonCode_toString(data->reasonCode));
    }
    if (data->message != nullptr) why += ": " + std::string(data->message);
  }
  c.listener_.connect_done(c.index_, false, why);
}

void MqttClient::on_subscribe_ok(void* ctx, MQTTAsync_successData* data) {
  auto& c = self(ctx);
  // MQTT 3.1.1 refuses a filter with granted QoS 0x80; Paho reports a single refused filter as a
  // failure, and several filters as a list.
  bool ok = true;
  const int count = c.subscribe_count_.load();
  if (data != nullptr && count > 1 && data->alt.qosList != nullptr) {
    for (int i = 0; i < count; ++i) {
      if (data->alt.qosList[i] == 0x80) ok = false;
    }
  }
  c.listener_.subscribe_done(c.index_, ok);
}

void MqttClient::on_subscribe_ok5(void* ctx, MQTTAsync_successData5* data) {
  auto& c = self(ctx);
  // An MQTT 5 refusal arrives as a "successful" SUBACK with an error reason code per filter.
  // Paho fills the reasonCodes array only for more than one filter (else it is garbage).
  bool ok = true;
  if (data != nullptr) {
    if (data->alt.sub.reasonCodeCount > 1 && data->alt.sub.reasonCodes != nullptr) {
      for (int i = 0; i < data->alt.sub.reasonCodeCount; ++i) {
        if (data->alt.sub.reasonCodes[i] >= MQTTREASONCODE_UNSPECIFIED_ERROR) ok = false;
      }
    } else if (data->reasonCode >= MQTTREASONCODE_UNSPECIFIED_ERROR) {
      ok = false;
    }
  }
  c.listener_.subscribe_done(c.index_, ok);
}

void MqttClient::on_subscribe_fail(void* ctx, MQTTAsync_failureData* /*data*/) {
  auto& c = self(ctx);
  c.listener_.subscribe_done(c.index_, false);
}

void MqttClient::on_subscribe_fail5(void* ctx, MQTTAsync_failureData5* /*data*/) { on_subscribe_fail(ctx, nullptr); }

void MqttClient::on_publish_ok(void* ctx, MQTTAsync_successData* /*data*/) {
  std::uint32_t index = 0;
  std::uint64_t n = 0;
  unpack(ctx, index, n);
  if (auto* l = g_publish_listener.load(std::memory_order_acquire)) l->publish_done(index, n, PublishOutcome::acked);
}

void MqttClient::on_publish_ok5(void* ctx, MQTTAsync_successData5* /*data*/) { on_publish_ok(ctx, nullptr); }

void MqttClient::on_publish_fail(void* ctx, MQTTAsync_failureData* /*data*/) {
  std::uint32_t index = 0;
  std::uint64_t n = 0;
  unpack(ctx, index, n);
  if (auto* l = g_publish_listener.load(std::memory_order_acquire)) l->publish_done(index, n, PublishOutcome::failed);
}

void MqttClient::on_publish_fail5(void* ctx, MQTTAsync_failureData5* data) {
  std::uint32_t index = 0;
  std::uint64_t n = 0;
  unpack(ctx, index, n);
  // A PUBACK carrying an error reason code: the broker (or its plugin) refused the message.
  const bool refused = data != nullptr && data->packet_type == kPubackPacket;
  if (auto* l = g_publish_listener.load(std::memory_order_acquire)) {
    l->publish_done(index, n, refused ? PublishOutcome::rejected : PublishOutcome::failed);
  }
}

void MqttClient::on_disconnect_ok(void* ctx, MQTTAsync_successData* /*data*/) {
  auto& c = self(ctx);
  c.connected_.store(false, std::memory_order_release);
  c.listener_.disconnected(c.index_);
}

void MqttClient::on_disconnect_ok5(void* ctx, MQTTAsync_successData5* /*data*/) { on_disconnect_ok(ctx, nullptr); }

void MqttClient::on_connection_lost(void* ctx, char* /*cause*/) {
  auto& c = self(ctx);
  c.connected_.store(false, std::memory_order_release);
  c.listener_.connection_lost(c.index_);
}

void MqttClient::on_connected(void* ctx, char* cause) {
  auto& c = self(ctx);
  c.connected_.store(true, std::memory_order_release);
  const bool automatic = cause != nullptr && std::strcmp(cause, "automatic reconnect") == 0;
  if (automatic) c.listener_.reconnected(c.index_);
}

int MqttClient::on_message(void* ctx, char* topic, int topic_len, MQTTAsync_message* message) {
  auto& c = self(ctx);
  const std::size_t tlen = topic_len > 0 ? static_cast<std::size_t>(topic_len) : std::strlen(topic);
  c.listener_.message(c.index_, std::string_view(topic, tlen),
                      std::string_view(static_cast<const char*>(message->payload),
                                       static_cast<std::size_t>(message->payloadlen)));
  MQTTAsync_freeMessage(&message);
  MQTTAsync_free(topic);
  return 1;
}

}  // namespace chat::loadgen

namespace chat::loadgen {

// The ticker's client index: past any real client (at most 2^20 - 2 of them).
constexpr std::uint32_t kTickerIndex = (1U << 20) - 1;

Ticker::Ticker(const std::string& uri, std::uint64_t uid, int mqtt_version)
    : topic_("dm/" + std::to_string(uid) + "/typing/" + std::to_string(uid)),
      client_(*this, kTickerIndex, uri, std::to_string(uid) + ":tick", mqtt_version, 64) {}

Ticker::~Ticker() { stop(); }

void Ticker::connect_done(std::uint32_t, bool ok, std::string_view) {
  if (!ok) {
    state_.store(-1);
    return;
  }
  state_.store(1);
  if (client_.subscribe({topic_}, 0) != MQTTASYNC_SUCCESS) state_.store(-1);
}

void Ticker::subscribe_done(std::uint32_t, bool ok) { state_.store(ok ? 2 : -1); }

bool Ticker::start(double timeout_s) {
  ConnectSettings settings;
  settings.auto_reconnect = false;
  settings.username = username_;
  settings.password = password_;
  if (client_.connect(settings) != MQTTASYNC_SUCCESS) return false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (state_.load() >= 0 && state_.load() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (state_.load() != 2) return false;
  running_.store(true);
  thread_ = std::thread([this] {
    const std::string payload = R"({"typing":true})";
    while (running_.load()) {
      (void)client_.publish(topic_, payload, 0, 0, /*notify=*/false);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  return true;
}

void Ticker::stop() {
  running_.store(false);
  if (thread_.joinable()) thread_.join();
  if (client_.connected()) {
    (void)client_.disconnect(500);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (client_.connected() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
}

}  // namespace chat::loadgen
