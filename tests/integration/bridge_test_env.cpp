#include "bridge_test_env.hpp"

#include "chat/testing/http_probe.hpp"

#include <libpq-fe.h>

#include "chat/credentials/password.hpp"
#include "chat/credentials/token.hpp"
#include "chat/testing/migrated_cluster.hpp"

#include <httplib.h>
#include <mqtt/async_client.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>
#include <thread>

namespace chat::bridge::testing {
namespace {

const std::string kSecret = "bridge-test-secret-0123456789abcdef0123456789";
const std::string kServiceUser = "svc-bridge";
const std::string kServicePassword = "bridge service password";

chat::testing::MigratedCluster* const environment = chat::testing::MigratedCluster::install("bridge");

// The plugin's hash of the service account's password: cheap for tests (1000
// rounds), the same scheme.
const std::string& service_password_hash() {
  static const std::string hash = credentials::hash_password(kServicePassword, 1000);
  return hash;
}

}  // namespace

std::string text_payload(const std::string& id, const std::string& text) {
  return nlohmann::json{{"id", id}, {"type", "text"}, {"text", text}}.dump();
}

// ------------------------------------------------------------------ BridgeProcess

BridgeProcess::BridgeProcess(const std::vector<std::string>& args, std::filesystem::path log_path,
                             std::uint16_t http_port)
    : log_path_(std::move(log_path)), http_port_(http_port), process_(args, log_path_.string()) {}

BridgeProcess::~BridgeProcess() = default;

std::pair<int, std::string> BridgeProcess::get(const std::string& path) const {
  return chat::testing::http_get(http_port_, path);
}

bool BridgeProcess::wait_healthy(std::chrono::milliseconds timeout) const {
  return chat::testing::wait_until([&] { return get("/healthz").first == 200; }, timeout,
                                   std::chrono::milliseconds(50));
}

double BridgeProcess::metric(const std::string& series) const {
  const auto [status, body] = get("/metrics");
  return status == 200 ? chat::testing::prometheus_value(body, series) : -1;
}

std::string BridgeProcess::log() const { return chat::testing::read_file(log_path_); }

// ------------------------------------------------------------------ ChatClient

ChatClient::ChatClient(const std::string& uri, std::int64_t uid, const std::string& device, std::string username,
                       std::string password)
    : uid_(uid),
      device_(device),
      username_(std::move(username)),
      password_(std::move(password)),
      client_(std::make_unique<mqtt::async_client>(
          uri, std::to_string(uid) + ":" + device,
          // Paho C refuses more than maxBufferedMessages queued publishes
          // (100 by default), connected or not: a stream needs more.
          mqtt::create_options_builder().mqtt_version(MQTTVERSION_5).max_buffered_messages(1000000).finalize(),
          nullptr)) {
  client_->set_message_callback(
      [this](const mqtt::const_message_ptr& msg) { on_message(msg->get_topic(), msg->to_string()); });
}

ChatClient::~ChatClient() {
  try {
    if (client_->is_connected()) client_->disconnect()->wait_for(std::chrono::seconds(2));
  } catch (...) {
  }
}

void ChatClient::connect(std::optional<std::string> will_topic) {
  begin_connect(std::move(will_topic));
  end_connect();
}

void ChatClient::begin_connect(std::optional<std::string> will_topic) {
  mqtt::connect_options_builder builder;
  builder.mqtt_version(MQTTVERSION_5)
      .clean_start(!persistent_)
      .keep_alive_interval(std::chrono::seconds(30))
      .connect_timeout(std::chrono::seconds(5));
  if (persistent_) builder.properties(mqtt::properties{{mqtt::property::SESSION_EXPIRY_INTERVAL, 3600}});
  if (will_topic) builder.will(mqtt::message(*will_topic, "offline", 1, false));
  if (!username_.empty()) builder.user_name(username_).password(password_);
  connecting_ = client_->connect(builder.finalize());
}

void ChatClient::end_connect() {
  connecting_->wait();
  connecting_.reset();
  client_->subscribe("u/" + std::to_string(uid_) + "/ev", 1)->wait();
  answers_subscribed_ = false;
}

void ChatClient::disconnect() {
  if (client_->is_connected()) client_->disconnect()->wait();
}

void ChatClient::begin_reconnect() {
  disconnect();
  begin_connect();
}

void ChatClient::end_reconnect_and_resend() {
  end_connect();
  std::vector<std::pair<std::string, std::string>> again;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, message] : unacked_) again.push_back(message);
  }
  for (const auto& [topic, payload] : again) client_->publish(topic, payload.data(), payload.size(), 1, false);
}

void ChatClient::reconnect_and_resend() {
  begin_reconnect();
  end_reconnect_and_resend();
}

void ChatClient::send(const std::string& topic, const std::string& id, const std::string& text) {
  const std::string payload = text_payload(id, text);
  {
    std::lock_guard lock(mutex_);
    unacked_[id] = {topic, payload};
  }
  client_->publish(topic, payload.data(), payload.size(), 1, false);
}

void ChatClient::send_json(const std::string& topic, const nlohmann::json& message) {
  const std::string payload = message.dump();
  {
    std::lock_guard lock(mutex_);
    unacked_[message.at("id").get<std::string>()] = {topic, payload};
  }
  client_->publish(topic, payload.data(), payload.size(), 1, false);
}

void ChatClient::publish_raw(const std::string& topic, const std::string& payload, bool retained) {
  client_->publish(topic, payload.data(), payload.size(), 1, retained)->wait();
}

void ChatClient::publish_raw_nowait(const std::string& topic, const std::string& payload) {
  client_->publish(topic, payload.data(), payload.size(), 1, false);
}

void ChatClient::subscribe(const std::string& filter) { client_->subscribe(filter, 1)->wait(); }

bool ChatClient::subscribe_with_retry(const std::string& filter, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto backoff = std::chrono::milliseconds(50);
  for (;;) {
    try {
      client_->subscribe(filter, 1)->wait();
      return true;
    } catch (const mqtt::exception&) {
      // Refused (SUBACK 0x87): the broker's ACL has not heard of the change yet.
    }
    if (std::chrono::steady_clock::now() + backoff > deadline) return false;
    std::this_thread::sleep_for(backoff);  // the client's back-off, not a wait for "nothing happened"
    backoff = std::min(backoff * 2, std::chrono::milliseconds(500));
  }
}

nlohmann::json ChatClient::request(const std::string& op, const nlohmann::json& args,
                                   std::chrono::milliseconds timeout) {
  const std::string id = "r" + std::to_string(++next_request_);
  return request_raw(nlohmann::json{{"id", id}, {"op", op}, {"args", args}}.dump(), id, timeout);
}

void ChatClient::subscribe_answers() {
  if (answers_subscribed_) return;
  client_->subscribe("u/" + std::to_string(uid_) + "/rsp/" + device_, 1)->wait();
  answers_subscribed_ = true;
}

void ChatClient::publish_request(const std::string& payload, bool wait) {
  subscribe_answers();
  auto token =
      client_->publish("req/" + std::to_string(uid_) + "/" + device_, payload.data(), payload.size(), 1, false);
  if (wait) token->wait();
}

std::string ChatClient::request_nowait(const std::string& op, const nlohmann::json& args) {
  std::string id = "r" + std::to_string(++next_request_);
  publish_request(nlohmann::json{{"id", id}, {"op", op}, {"args", args}}.dump(), false);
  return id;
}

std::vector<std::string> ChatClient::answer_ids() const {
  std::lock_guard lock(mutex_);
  return answer_ids_;
}

bool ChatClient::wait_answers(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return answer_ids_.size() >= count; });
}

nlohmann::json ChatClient::request_raw(const std::string& payload, const std::optional<std::string>& id,
                                       std::chrono::milliseconds timeout) {
  subscribe_answers();
  std::size_t before = 0;
  {
    std::lock_guard lock(mutex_);
    before = answers_[id].size();
  }
  publish_request(payload, true);
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, timeout, [&] { return answers_[id].size() > before; })) return nullptr;
  return answers_[id][before];
}

std::vector<nlohmann::json> ChatClient::events(const std::string& ev) const {
  std::lock_guard lock(mutex_);
  std::vector<nlohmann::json> out;
  for (const auto& event : events_) {
    if (event.value("ev", "") == ev) out.push_back(event);
  }
  return out;
}

bool ChatClient::wait_event(const std::string& ev, std::int64_t chat, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    return std::any_of(events_.begin(), events_.end(), [&](const nlohmann::json& event) {
      return event.value("ev", "") == ev && event.contains("chat") && event["chat"].is_object() &&
             event["chat"].value("id", std::int64_t{0}) == chat;
    });
  });
}

bool ChatClient::wait_event_equal(const nlohmann::json& expected, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout,
                           [&] { return std::find(events_.begin(), events_.end(), expected) != events_.end(); });
}

void ChatClient::on_message(const std::string& topic, const std::string& payload) {
  std::lock_guard lock(mutex_);
  if (topic == "u/" + std::to_string(uid_) + "/rsp/" + device_) {
    auto answer = nlohmann::json::parse(payload, nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) return;
    std::optional<std::string> id;
    if (answer.contains("id") && answer["id"].is_string()) id = answer["id"].get<std::string>();
    answer_ids_.push_back(id.value_or(""));
    answers_[id].push_back(std::move(answer));
  } else if (topic == "u/" + std::to_string(uid_) + "/ev") {
    const auto event = nlohmann::json::parse(payload, nullptr, false);
    if (event.is_discarded()) return;
    events_.push_back(event);
    changed_.notify_all();
    if (event.value("ev", "") == "acks" && event.contains("acks") && event["acks"].is_array()) {
      for (const auto& ack : event["acks"]) {
        const std::string id = ack["id"].get<std::string>();
        acks_[id].push_back(
            {ack["chat"].get<std::int64_t>(), ack["seq"].get<std::int64_t>(), ack["ts"].get<std::int64_t>()});
        unacked_.erase(id);
      }
    }
    if (!event.contains("id") || !event["id"].is_string()) return;
    const std::string id = event["id"].get<std::string>();
    if (event["ev"] == "nack") {
      nacks_[id] = payload;
      unacked_.erase(id);
    }
  } else {
    received_[topic].push_back(payload);
  }
  changed_.notify_all();
}

std::size_t ChatClient::unacked() const {
  std::lock_guard lock(mutex_);
  return unacked_.size();
}

std::size_t ChatClient::acked() const {
  std::lock_guard lock(mutex_);
  return acks_.size();
}

std::vector<Ack> ChatClient::acks_of(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const auto it = acks_.find(id);
  return it == acks_.end() ? std::vector<Ack>{} : it->second;
}

std::optional<std::string> ChatClient::nack_of(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const auto it = nacks_.find(id);
  if (it == nacks_.end()) return std::nullopt;
  return it->second;
}

bool ChatClient::wait_all_answered(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return unacked_.empty(); });
}

bool ChatClient::wait_answer(const std::string& id, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return acks_.contains(id) || nacks_.contains(id); });
}

std::vector<std::string> ChatClient::received(const std::string& topic) const {
  std::lock_guard lock(mutex_);
  const auto it = received_.find(topic);
  return it == received_.end() ? std::vector<std::string>{} : it->second;
}

bool ChatClient::wait_received(const std::string& topic, std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    const auto it = received_.find(topic);
    return it != received_.end() && it->second.size() >= count;
  });
}

// ------------------------------------------------------------------ BridgeTest

chat::testing::PostgresCluster& BridgeTest::cluster() { return environment->cluster(); }

void BridgeTest::SetUp() {
  database_ = environment->new_migrated_database();
  store_ = std::make_unique<storage::Store>(conninfo());
  chat::testing::MosquittoOptions options;
  if (use_auth_plugin()) {
    chat::testing::AuthPluginSettings plugin;
    plugin.db_conninfo = conninfo();
    plugin.jwt_secret = kSecret;
    plugin.service_username = kServiceUser;
    plugin.service_password_hash = service_password_hash();
    // The SIGKILL test streams 500 messages a second per user; resends come in bursts.
    plugin.options = {{"publish_rate_per_s", "100000"},
                      {"publish_burst", "100000"},
                      {"password_checks_per_s", "100"},
                      {"password_checks_burst", "100"}};
    options.auth_plugin = plugin;
  }
  options.overrides = broker_overrides();
  broker_ = std::make_unique<chat::testing::MosquittoBroker>(options);
}

std::string BridgeTest::token_secret() { return kSecret; }

std::string BridgeTest::token(std::int64_t uid) {
  if (!use_auth_plugin()) return {};
  const auto user = store().users().find(uid);
  if (!user) throw std::runtime_error("no user " + std::to_string(uid));
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return credentials::mint_token(kSecret, uid, user->user.username, now - 5, now + 3600);
}

std::unique_ptr<ChatClient> BridgeTest::make_client(std::int64_t uid, const std::string& device) {
  std::string username;
  if (use_auth_plugin()) username = store().users().find(uid)->user.username;
  return std::make_unique<ChatClient>(broker().uri(), uid, device, username, token(uid));
}

void BridgeTest::TearDown() {
  if (HasFailure()) {
    for (const auto& path : bridge_logs_) {
      if (std::filesystem::exists(path)) {
        std::string log = chat::testing::read_file(path);
        if (log.size() > 20000) log = "...\n" + log.substr(log.size() - 20000);
        std::cerr << "---- " << path.filename().string() << " ----\n" << log << '\n';
      }
    }
  }
}

std::int64_t BridgeTest::psql_int(const std::string& sql) const {
  const std::string out = psql(sql);
  return std::stoll(out);
}

storage::User BridgeTest::make_user(const std::string& username) {
  storage::NewUser user;
  user.username = username;
  user.display_name = username;
  return store().users().create(user);
}

std::unique_ptr<BridgeProcess> BridgeTest::start_bridge(const std::vector<std::string>& extra,
                                                        const std::string& name) {
  const std::uint16_t http_port = chat::testing::free_loopback_port();
  std::vector<std::string> args{CHAT_BRIDGE_PATH,
                                "--database-url",
                                conninfo(),
                                "--mqtt-uri",
                                broker().uri(),
                                "--mqtt-client-id",
                                name,
                                "--http-port",
                                std::to_string(http_port),
                                "--db-backoff-first-ms",
                                "50",
                                "--db-backoff-max-ms",
                                "500",
                                "--log-level",
                                "debug"};
  if (use_auth_plugin()) {
    args.insert(args.end(), {"--mqtt-username", kServiceUser, "--mqtt-password", kServicePassword});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  const auto log_path = broker().dir() / (name + ".log");
  bridge_logs_.push_back(log_path);
  auto bridge = std::make_unique<BridgeProcess>(args, log_path, http_port);
  if (!bridge->wait_healthy()) {
    ADD_FAILURE() << "the bridge did not become healthy:\n" << bridge->log();
  }
  return bridge;
}

std::vector<std::unique_ptr<ChatClient>> BridgeTest::clients(const std::vector<std::int64_t>& uids) {
  // Connected side by side: Paho C takes about two seconds to connect a client
  // while another one of the process is connected (its receive thread polls
  // new sockets once a second), so one after the other would add up.
  std::vector<std::unique_ptr<ChatClient>> out;
  for (const auto uid : uids) {
    out.push_back(make_client(uid, "phone"));
    out.back()->begin_connect();
  }
  for (auto& c : out) c->end_connect();
  return out;
}

std::unique_ptr<ChatClient> BridgeTest::client(std::int64_t uid, const std::string& device) {
  auto c = make_client(uid, device);
  c->connect();
  return c;
}

std::int64_t BridgeTest::check_messages_consistent() {
  EXPECT_EQ(psql("SELECT count(*) FROM messages m JOIN chats c ON c.id = m.chat_id WHERE m.seq > c.last_seq"), "0")
      << "a message above its chat's last_seq";
  EXPECT_EQ(
      psql("SELECT count(*) FROM chats c WHERE c.last_seq <> (SELECT count(*) FROM messages m WHERE m.chat_id = c.id)"),
      "0")
      << "a chat whose seqs have gaps";
  EXPECT_EQ(psql("SELECT count(*) - count(DISTINCT (sender_id, client_msg_id)) FROM messages"), "0")
      << "a client id stored twice";
  return psql_int("SELECT count(*) FROM messages");
}

HeldRow::HeldRow(const std::string& conninfo, const std::string& table, std::int64_t id)
    : conn_(PQconnectdb(conninfo.c_str())) {
  if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(std::string("HeldRow: ") + PQerrorMessage(conn_));
  PQclear(PQexec(conn_, "BEGIN"));
  PGresult* locked =
      PQexec(conn_, ("SELECT id FROM " + table + " WHERE id = " + std::to_string(id) + " FOR UPDATE").c_str());
  const bool ok = PQresultStatus(locked) == PGRES_TUPLES_OK && PQntuples(locked) == 1;
  PQclear(locked);
  if (!ok) throw std::runtime_error("HeldRow: cannot lock " + table + " " + std::to_string(id));
}

HeldRow::~HeldRow() { release(); }

void HeldRow::release() {
  if (conn_ == nullptr) return;
  PQclear(PQexec(conn_, "ROLLBACK"));
  PQfinish(conn_);
  conn_ = nullptr;
}

}  // namespace chat::bridge::testing
