#pragma once
// Shared by the bridge integration suites: one PostgreSQL cluster per test
// binary with a migrated template; per test a fresh database, a mosquitto from
// broker-config/, the chat-bridge binary as a child process, and ChatClient,
// a device that follows the contract's client rule (keeps its unacked
// messages and publishes them again after a reconnect).
#include "chat/storage/store.hpp"
#include "chat/testing/mosquitto_broker.hpp"
#include "chat/testing/postgres_cluster.hpp"
#include "chat/testing/process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

struct pg_conn;  // libpq's PGconn

namespace mqtt {
class async_client;
class token;
}  // namespace mqtt

namespace chat::bridge::testing {

using namespace std::chrono_literals;

// A running chat-bridge.
class BridgeProcess {
 public:
  BridgeProcess(const std::vector<std::string>& args, std::filesystem::path log_path, std::uint16_t http_port);
  ~BridgeProcess();

  std::uint16_t http_port() const { return http_port_; }
  // GET on its HTTP port: (status, body); status 0 when it did not answer.
  std::pair<int, std::string> get(const std::string& path) const;
  // Waits until /healthz answers 200.
  bool wait_healthy(std::chrono::milliseconds timeout = 20s) const;
  // A metric's value from /metrics (the first series of that name); -1 when absent.
  double metric(const std::string& series) const;
  std::string log() const;

  void kill_hard() { process_.kill_hard(); }
  // SIGTERM and wait; returns the exit status as waitpid gives it.
  int terminate(std::chrono::milliseconds grace = 20s) { return process_.stop(grace); }
  bool running() { return process_.running(); }

 private:
  std::filesystem::path log_path_;
  std::uint16_t http_port_;
  chat::testing::ChildProcess process_;
};

// A row held with SELECT … FOR UPDATE by a session of its own, until release()
// or destruction: what makes a writer wait at a known point, so that tests can
// pile messages up behind it without timing.
class HeldRow {
 public:
  HeldRow(const std::string& conninfo, const std::string& table, std::int64_t id);
  ~HeldRow();
  HeldRow(const HeldRow&) = delete;
  HeldRow& operator=(const HeldRow&) = delete;
  void release();

 private:
  ::pg_conn* conn_ = nullptr;  // libpq's PGconn
};

struct Ack {
  std::int64_t chat = 0;
  std::int64_t seq = 0;
  std::int64_t ts = 0;
};

// One device of one user: publishes messages and keeps them until their `ack`
// event arrives on u/{uid}/ev; nacks are kept too.
class ChatClient {
 public:
  // Signs in as `username` with `password` (a token) when given.
  ChatClient(const std::string& uri, std::int64_t uid, const std::string& device, std::string username = {},
             std::string password = {});
  ~ChatClient();

  void connect(std::optional<std::string> will_topic = std::nullopt);
  // Sign in with a persistent session from now on (clean start false, an hour's
  // expiry): the broker queues for it while it is away, within its limits.
  void use_persistent_session() { persistent_ = true; }
  // connect() in two halves, so that many clients connect side by side.
  void begin_connect(std::optional<std::string> will_topic = std::nullopt);
  void end_connect();
  void disconnect();
  // The contract's client rule: reconnect, then publish every unacked message again.
  void reconnect_and_resend();
  void begin_reconnect();
  void end_reconnect_and_resend();

  // Publishes {"id":id,"type":"text","text":text} to topic, without waiting.
  void send(const std::string& topic, const std::string& id, const std::string& text = "hi");
  // Publishes any message payload (its "id" names it) as send() does: kept until answered.
  void send_json(const std::string& topic, const nlohmann::json& message);
  // Publishes raw bytes (receipts, device states, malformed payloads) and waits for the PUBACK.
  void publish_raw(const std::string& topic, const std::string& payload, bool retained = false);
  // Publishes raw bytes without waiting: for publishes the broker may refuse
  // (an MQTT 5 PUBACK of reason 135 fails the token that publish_raw waits on).
  void publish_raw_nowait(const std::string& topic, const std::string& payload);
  // Subscribes and waits for the SUBACK.
  void subscribe(const std::string& filter);
  // Subscribes as a client does after `chat.added` (docs/protocol.md): a
  // refusal is retried with a back-off until `timeout`; false if never granted.
  bool subscribe_with_retry(const std::string& filter, std::chrono::milliseconds timeout);

  // A request (docs/protocol.md section 4) on req/{uid}/{device}, and its
  // answer from u/{uid}/rsp/{device} (subscribed on first use); a null JSON
  // when none came in time.
  nlohmann::json request(const std::string& op, const nlohmann::json& args = nlohmann::json::object(),
                         std::chrono::milliseconds timeout = 10s);
  // Publishes raw bytes as a request and waits for the next answer whose id is
  // `id` (nullopt: an answer with a null id).
  nlohmann::json request_raw(const std::string& payload, const std::optional<std::string>& id,
                             std::chrono::milliseconds timeout = 10s);
  // Publishes a request without waiting for its answer; returns its id.
  std::string request_nowait(const std::string& op, const nlohmann::json& args = nlohmann::json::object());
  // The ids of every answer so far, in arrival order ("" for a null id).
  std::vector<std::string> answer_ids() const;
  // Waits until `count` answers have arrived in all.
  bool wait_answers(std::size_t count, std::chrono::milliseconds timeout) const;
  // Events on u/{uid}/ev with this `ev` (chat.added, …), in arrival order.
  std::vector<nlohmann::json> events(const std::string& ev) const;
  bool wait_event(const std::string& ev, std::int64_t chat, std::chrono::milliseconds timeout) const;
  // Waits for an event equal to `expected` in every field (events whose `chat` is an id, as chat.muted).
  bool wait_event_equal(const nlohmann::json& expected, std::chrono::milliseconds timeout) const;

  std::int64_t uid() const { return uid_; }
  std::size_t unacked() const;
  std::size_t acked() const;
  std::vector<Ack> acks_of(const std::string& id) const;
  std::optional<std::string> nack_of(const std::string& id) const;  // the nack event's JSON
  // Waits until every message sent so far is acked or nacked.
  bool wait_all_answered(std::chrono::milliseconds timeout) const;
  bool wait_answer(const std::string& id, std::chrono::milliseconds timeout) const;
  // Messages received on subscriptions other than u/{uid}/ev, by topic, in order.
  std::vector<std::string> received(const std::string& topic) const;
  bool wait_received(const std::string& topic, std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  void on_message(const std::string& topic, const std::string& payload);
  void subscribe_answers();  // u/{uid}/rsp/{device}, once
  // Publishes a request payload on req/{uid}/{device} (answers subscribed
  // first); `wait`: until the broker's PUBACK.
  void publish_request(const std::string& payload, bool wait);

  std::int64_t uid_;
  std::string device_;
  std::string username_;
  std::string password_;
  std::unique_ptr<mqtt::async_client> client_;
  std::shared_ptr<mqtt::token> connecting_;
  bool persistent_ = false;
  bool answers_subscribed_ = false;
  int next_request_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::map<std::string, std::pair<std::string, std::string>> unacked_;  // id -> (topic, payload)
  std::map<std::string, std::vector<Ack>> acks_;
  std::map<std::string, std::string> nacks_;
  std::map<std::string, std::vector<std::string>> received_;
  std::vector<nlohmann::json> events_;                                         // u/{uid}/ev, every event
  std::map<std::optional<std::string>, std::vector<nlohmann::json>> answers_;  // by request id
  std::vector<std::string> answer_ids_;                                        // in arrival order
};

// Per test: a database, a broker with the auth plugin signing every client in
// (users with tokens, the bridge as the plugin's service account), bridges.
class BridgeTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // False: an anonymous broker, for the bridge's own checks of what the
  // plugin normally refuses before it reaches the bridge.
  virtual bool use_auth_plugin() const { return true; }
  // Broker settings that replace the template's (e.g. max_queued_messages).
  virtual std::map<std::string, std::string> broker_overrides() const { return {}; }
  void TearDown() override;

  static chat::testing::PostgresCluster& cluster();
  std::string conninfo() const { return cluster().conninfo(database_); }
  storage::Store& store() { return *store_; }
  std::string psql(const std::string& sql) const { return cluster().psql(database_, sql); }
  std::int64_t psql_int(const std::string& sql) const;
  chat::testing::MosquittoBroker& broker() { return *broker_; }

  storage::User make_user(const std::string& username);
  // Starts a bridge on this test's broker and database; `extra` flags win.
  std::unique_ptr<BridgeProcess> start_bridge(const std::vector<std::string>& extra = {},
                                              const std::string& name = "bridge");
  std::unique_ptr<ChatClient> client(std::int64_t uid, const std::string& device = "phone");
  std::unique_ptr<ChatClient> make_client(std::int64_t uid, const std::string& device);  // not connected
  // A sign-in token for the user (empty without the plugin).
  std::string token(std::int64_t uid);
  // The secret the plugin checks tokens with.
  static std::string token_secret();
  static void write_file_for_test(const std::filesystem::path& path, const std::string& content) {
    chat::testing::write_file(path, content);
  }
  // Devices "phone" of these users, connected side by side.
  std::vector<std::unique_ptr<ChatClient>> clients(const std::vector<std::int64_t>& uids);

  // Checks the whole database: seqs of every chat are 1..last_seq without gaps,
  // each (sender, client id) is stored once. Returns the number of messages.
  std::int64_t check_messages_consistent();

 private:
  std::string database_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<chat::testing::MosquittoBroker> broker_;
  std::vector<std::filesystem::path> bridge_logs_;
};

std::string text_payload(const std::string& id, const std::string& text);

}  // namespace chat::bridge::testing
