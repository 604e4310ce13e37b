// sync through the platform: the catch-up of a device that was offline while
// X messages (--messages) arrived over Y group chats (--groups), through the
// bridge's requests over MQTT, end to end: chat.list pages, then sync pages
// until nothing more is left (docs/protocol.md section 4). The run makes its
// users and groups in the database (like --mode platform), a writer sends the
// messages through auth plugin + bridge (acked by the bridge's `ack` events),
// then the reader's device connects and catches up. Figures: the catch-up
// time (first request to last answer) and rate, requests used, and what
// arrived against what chat.list said was there (missing, out of order).
//
// --request-load R: meanwhile another device of the reader, in a process of
// its own (request_load.hpp), sends R history requests a second (200
// messages each); the writer's send->ack latency shows whether the request
// path delays the message path.
#include "chat/credentials/token.hpp"
#include "chat/loadgen/catch_up.hpp"
#include "chat/loadgen/cpu.hpp"
#include "chat/loadgen/histogram.hpp"
#include "chat/loadgen/message.hpp"
#include "chat/loadgen/outbox.hpp"
#include "chat/protocol/topics.hpp"
#include "chat/storage/store.hpp"
#include "mqtt_client.hpp"
#include "request_load.hpp"
#include "scenarios.hpp"
#include "token_secret.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace chat::loadgen {
namespace {

constexpr std::uint32_t kReader = 0;  // the catching-up device
constexpr std::uint32_t kWriter = 1;

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Account {
  std::uint64_t uid = 0;
  std::string username;
  std::string token;
};

class PlatformSyncRun final : public Listener {
 public:
  explicit PlatformSyncRun(const Options& o) : o_(o), run_tag_(make_run_tag(now_us())), outbox_(o.inflight) {}
  ~PlatformSyncRun() override {
    for (auto& client : clients_) client.reset();
  }

  int run(Report& report);

  void connect_done(std::uint32_t c, bool ok, std::string_view why) override {
    std::lock_guard lock(mu_);
    if (!ok) error_ = "client " + std::to_string(c) + " cannot connect: " + std::string(why);
    cv_.notify_all();
  }
  void subscribe_done(std::uint32_t c, bool ok) override {
    std::lock_guard lock(mu_);
    const auto retries_allowed = static_cast<std::uint32_t>(o_.connect_timeout_s * 1000 /
                                                            static_cast<double>(MqttClient::kResubscribeDelay.count()));
    if (!ok && subscribe_retries_[c]++ < retries_allowed) {
      clients_[c]->resubscribe_later(filters_[c], 1, o_.mqtt_version == 5);  // see there
      return;
    }
    if (!ok) error_ = "client " + std::to_string(c) + ": subscription refused";
    ++subscribed_[c];
    cv_.notify_all();
  }
  void connection_lost(std::uint32_t c) override {
    std::lock_guard lock(mu_);
    error_ = "client " + std::to_string(c) + " lost its connection";
    cv_.notify_all();
  }
  void message(std::uint32_t c, std::string_view topic, std::string_view payload) override {
    const auto now = now_us();
    std::lock_guard lock(mu_);
    if (c == kWriter) {
      // The bridge's ack: the message is committed.
      for (const auto& ack : parse_ack_events(payload)) {
        const auto id = parse_message_id(ack.id);
        if (!id || id->run != run_tag_) continue;
        if (const auto sent = outbox_.ack(id->n)) {
          ack_latency_.record(now - sent->intended_us);
          ++acked_;
        }
      }
    } else if (topic.find("/rsp/") != std::string_view::npos) {
      answers_[CatchUp::answer_id(payload).value_or("")] = std::string(payload);
    }
    cv_.notify_all();
  }

 private:
  template <typename Pred>
  bool wait(Pred pred, double seconds) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return pred() || !error_.empty(); }) &&
           error_.empty();
  }
  int fail(const std::string& what) {
    std::lock_guard lock(mu_);
    std::cerr << "chat-loadgen: sync: " << what << (error_.empty() ? "" : ": " + error_) << "\n";
    return kExitFailed;
  }
  bool setup_database(Report& report);
  bool connect(std::uint32_t index, const Account& who, const std::string& device,
               const std::vector<std::string>& filters);
  // Publishes a request from the reader's device and waits for its answer.
  std::optional<std::string> ask(const std::string& id, const std::string& payload);
  bool write_messages();

  const Options& o_;
  std::string run_tag_;
  Account reader_, writer_;
  std::vector<std::uint64_t> chats_;
  std::unique_ptr<MqttClient> clients_[2];
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::uint32_t, int> subscribed_;
  std::map<std::uint32_t, std::vector<std::string>> filters_;  // per client, for a resubscribe
  std::map<std::uint32_t, std::uint32_t> subscribe_retries_;
  Outbox outbox_;
  std::uint64_t acked_ = 0;
  Histogram ack_latency_;
  std::map<std::string, std::string> answers_;
  std::string error_;
};

bool PlatformSyncRun::setup_database(Report& report) {
  storage::Store store(o_.database_url);
  if (!store.schema_status().up_to_date()) {
    std::cerr << "chat-loadgen: the database's schema is not up to date (run chat-migrate)\n";
    return false;
  }
  std::string secret;
  if (!o_.token_secret_file.empty()) secret = read_token_secret(o_.token_secret_file);
  const auto account = [&](const std::string& role) {
    storage::NewUser u;
    u.username = "lg" + run_tag_ + "_" + role;
    u.display_name = u.username;
    const auto user = store.users().create(u);
    Account a{static_cast<std::uint64_t>(user.id), user.username, {}};
    if (!secret.empty())
      a.token = credentials::mint_token(secret, user.id, user.username, now_s() - 5, now_s() + 86400);
    return a;
  };
  reader_ = account("r");
  writer_ = account("w");
  const std::vector<storage::UserId> reader{static_cast<storage::UserId>(reader_.uid)};
  const std::uint32_t groups = o_.groups > 0 ? o_.groups : 1;
  for (std::uint32_t g = 0; g < groups; ++g) {
    chats_.push_back(static_cast<std::uint64_t>(
        store.chats().create_group(static_cast<storage::UserId>(writer_.uid), "lg " + run_tag_, reader).id));
  }
  report.param("database", "reader " + std::to_string(reader_.uid) + ", chats " + std::to_string(chats_.front()) +
                               ".." + std::to_string(chats_.back()));
  return true;
}

bool PlatformSyncRun::connect(std::uint32_t index, const Account& who, const std::string& device,
                              const std::vector<std::string>& filters) {
  clients_[index] = std::make_unique<MqttClient>(*this, index, o_.uri, std::to_string(who.uid) + ":" + device,
                                                 o_.mqtt_version, static_cast<int>(o_.inflight * 2 + 64));
  ConnectSettings settings;
  settings.auto_reconnect = false;
  settings.username = who.token.empty() ? std::string{} : who.username;
  settings.password = who.token;
  MqttClient& client = *clients_[index];
  if (client.connect(settings) != kMqttOk || !wait([&] { return client.connected(); }, o_.connect_timeout_s)) {
    return false;
  }
  const int before = subscribed_[index];
  {
    std::lock_guard lock(mu_);
    filters_[index] = filters;
  }
  // No Local (MQTT 5): the writer, subscribed to its groups, gets no copy of its own messages.
  return client.subscribe(filters, 1, o_.mqtt_version == 5) == kMqttOk &&
         wait([&] { return subscribed_[index] > before; }, o_.connect_timeout_s);
}

std::optional<std::string> PlatformSyncRun::ask(const std::string& id, const std::string& payload) {
  const std::string topic = protocol::request_topic(static_cast<protocol::Id>(reader_.uid), "s" + run_tag_);
  if (clients_[kReader]->publish(topic, payload, 1, 0, false) != kMqttOk) return std::nullopt;
  if (!wait([&] { return answers_.contains(id); }, o_.drain_timeout_s)) return std::nullopt;
  std::lock_guard lock(mu_);
  auto answer = std::move(answers_[id]);
  answers_.erase(id);
  return answer;
}

bool PlatformSyncRun::write_messages() {
  MqttClient& writer = *clients_[kWriter];
  for (std::uint64_t n = 0; n < o_.messages; ++n) {
    const auto chat = chats_[n % chats_.size()];
    const auto topic = group_msg_topic(chat, writer_.uid);
    const auto payload = build_message(format_message_id(run_tag_, 0, n), now_us(), o_.payload_bytes);
    {
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, std::chrono::duration<double>(o_.drain_timeout_s),
                        [&] { return outbox_.has_room() || !error_.empty(); }) ||
          !error_.empty()) {
        return false;
      }
      outbox_.add(n, topic, payload, now_us());
    }
    if (writer.publish(topic, payload, 1, n, false) != kMqttOk) return false;
  }
  return wait([&] { return acked_ >= o_.messages; }, o_.drain_timeout_s);
}

int PlatformSyncRun::run(Report& report) {
  report.param("run", run_tag_);
  report.param("uri", o_.uri);
  report.param("messages", static_cast<double>(o_.messages));
  report.param("chats", o_.groups > 0 ? o_.groups : 1);
  report.param("payload_bytes", o_.payload_bytes);
  report.param("request_load", o_.request_load);
  if (!setup_database(report)) return kExitFailed;
  // Forked before this process has any MQTT client (the child gets no event loop thread).
  std::optional<RequestLoad> load;
  if (o_.request_load > 0) {
    load.emplace(RequestLoadSpec{o_.uri, reader_.uid, reader_.token.empty() ? std::string{} : reader_.username,
                                 reader_.token, chats_, o_.request_load, o_.mqtt_version, o_.connect_timeout_s});
  }

  // 1. The writer sends X messages over the chats (acked by the bridge) while
  //    the reader's device is away; with --request-load, its other device
  //    asks for history meanwhile.
  // The writer subscribes to its groups too: once every subscription is granted, the auth plugin
  // knows the memberships made a moment ago, and no publish of the writer is refused for want of one.
  std::vector<std::string> writer_filters{user_event_topic(writer_.uid)};
  for (const auto chat : chats_) writer_filters.push_back(protocol::group_filter(static_cast<protocol::Id>(chat)));
  if (!connect(kWriter, writer_, "w", writer_filters)) return fail("the writer could not connect");
  if (load && !load->start()) return fail("the request load's device could not connect");
  const auto write_start = std::chrono::steady_clock::now();
  const bool written = write_messages();
  const double write_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - write_start).count();
  const RequestLoadResult load_result = load ? load->finish() : RequestLoadResult{};
  if (!written) return fail("not every message was acked by the bridge");

  // 2. The reader's device comes back and catches up through requests.
  if (!connect(kReader, reader_, "s" + run_tag_,
               {protocol::response_topic(static_cast<protocol::Id>(reader_.uid), "s" + run_tag_)})) {
    return fail("the reader could not connect");
  }
  CatchUp catch_up;
  const double cpu0 = self_cpu_seconds();
  const auto t0 = now_us();
  std::uint64_t asked = 0;
  while (!catch_up.listing_done()) {
    const std::string id = "l" + std::to_string(++asked);
    const auto answer = ask(id, catch_up.chat_list_request(id));
    if (!answer || !catch_up.take_chat_list(*answer)) return fail("chat.list failed: " + answer.value_or("no answer"));
  }
  const auto t_listed = now_us();
  while (!catch_up.sync_done()) {
    const std::string id = "s" + std::to_string(++asked);
    const auto answer = ask(id, catch_up.sync_request(id));
    if (!answer || !catch_up.take_sync(*answer))
      return fail("sync failed: " + answer.value_or("no answer").substr(0, 300));
  }
  const auto t_end = now_us();
  const double cpu1 = self_cpu_seconds();
  for (auto& client : clients_) {
    if (client) (void)client->disconnect(1000);
  }

  std::lock_guard lock(mu_);
  const double catch_up_s = static_cast<double>(t_end - t0) / 1e6;
  const auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1e3; };
  report.figure("write_s", write_s, "s", "writer: X messages sent and acked by the bridge");
  report.figure("ack_p50_ms", ms(ack_latency_.percentile(50)), "ms", "writer: send -> bridge ack, p50");
  report.figure("ack_p99_ms", ms(ack_latency_.percentile(99)), "ms", "writer: send -> bridge ack, p99");
  report.figure("ack_max_ms", ms(ack_latency_.max()), "ms", "writer: send -> bridge ack, max");
  if (o_.request_load > 0) {
    report.figure("load_requests", static_cast<double>(load_result.answered), "",
                  "history requests answered meanwhile (another process)");
    report.figure("load_unanswered", static_cast<double>(load_result.sent - load_result.answered), "",
                  "history requests without an answer within 2 s of the end");
    report.figure("load_failed", static_cast<double>(load_result.failed), "", "of those, answered with an error");
    report.figure("load_p50_ms", ms(load_result.latency_us.percentile(50)), "ms", "history request -> answer, p50");
    report.figure("load_p99_ms", ms(load_result.latency_us.percentile(99)), "ms", "history request -> answer, p99");
  }
  report.figure("chat_list_ms", static_cast<double>(t_listed - t0) / 1e3, "ms", "catch-up: chat.list pages");
  report.figure("catch_up_s", catch_up_s, "s", "catch-up: first request -> last sync answer");
  report.figure("catch_up_msgs_per_s", catch_up_s > 0 ? static_cast<double>(catch_up.received()) / catch_up_s : 0,
                "msg/s", "catch-up rate");
  report.figure("requests", static_cast<double>(catch_up.list_requests() + catch_up.sync_requests()), "",
                "requests used (chat.list + sync)");
  report.figure("expected", static_cast<double>(catch_up.expected()), "", "messages chat.list said were there");
  report.figure("delivered", static_cast<double>(catch_up.received()), "", "messages received through sync");
  report.figure("lost", static_cast<double>(catch_up.missing()), "", "messages never received");
  report.figure("out_of_order", static_cast<double>(catch_up.out_of_order()), "", "messages not in seq order");
  report.figure("loadgen_cpu_pct", catch_up_s > 0 ? 100.0 * (cpu1 - cpu0) / catch_up_s : 0, "% of a core",
                "loadgen CPU (catch-up)");
  report.note("platform: the catch-up is chat.list + sync requests answered by the bridge from PostgreSQL");
  const bool clean = catch_up.missing() == 0 && catch_up.out_of_order() == 0 && catch_up.expected() == o_.messages &&
                     catch_up.received() == o_.messages;
  if (o_.strict && !clean) return kExitLossOrDup;
  return kExitOk;
}

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

}  // namespace

int run_sync_platform(const Options& given, Report& report) {
  Options o = given;
  if (o.database_url.empty()) o.database_url = env("CHAT_DATABASE_URL").value_or("");
  if (o.token_secret_file.empty()) o.token_secret_file = env("CHAT_TOKEN_SECRET_FILE").value_or("");
  if (o.database_url.empty()) {
    std::cerr << "chat-loadgen: --mode sync needs --database-url (or CHAT_DATABASE_URL); --plain runs the "
                 "broker-queue baseline\n";
    return kExitUsage;
  }
  PlatformSyncRun run(o);
  return run.run(report);
}

}  // namespace chat::loadgen
