// sync --plain: the broker's own catch-up, the denominator of the platform's
// `sync`. A user's device holds a persistent session subscribed to Y group
// chats (--groups), goes offline; another user publishes X messages (--messages)
// over those chats, QoS 1, all acked; the device comes back and the broker
// hands it what it queued. Figures: catch-up time (CONNECT until the last
// message) and rate, with loss and duplicates. The broker's queue limit
// (max_queued_messages) must hold X, or the loss shows here.
#include "chat/loadgen/cpu.hpp"
#include "chat/loadgen/histogram.hpp"
#include "chat/loadgen/message.hpp"
#include "chat/loadgen/outbox.hpp"
#include "chat/loadgen/population.hpp"
#include "chat/loadgen/tracker.hpp"
#include "chat/protocol/topics.hpp"
#include "mqtt_client.hpp"
#include "scenarios.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace chat::loadgen {
namespace {

constexpr std::uint32_t kReader = 0;  // client index of the catching-up device
constexpr std::uint32_t kWriter = 1;  // client index of the sender

class SyncRun final : public Listener {
 public:
  SyncRun(const Options& o, std::uint32_t chats)
      : o_(o),
        pop_(PopulationShape{.users = 2,
                             .devices = 1,
                             .groups = chats,
                             .group_size = 2,
                             .uid_base = o.uid_base,
                             .chat_base = o.chat_base}),
        tracker_([this](std::uint32_t) { return std::span<const std::uint32_t>(&reader_only_, 1); }),
        run_tag_(make_run_tag(now_us())),
        outbox_(o.inflight) {}

  ~SyncRun() override {
    reader_.reset();
    writer_.reset();
  }

  void connect_done(std::uint32_t c, bool ok, std::string_view why) override {
    std::lock_guard lock(mu_);
    if (!ok) error_ = "client " + std::to_string(c) + " cannot connect: " + std::string(why);
    if (ok && c == kReader) reader_connack_us_ = now_us();
    ++events_;
    cv_.notify_all();
  }
  void subscribe_done(std::uint32_t, bool ok) override {
    std::lock_guard lock(mu_);
    if (!ok) error_ = "subscription refused";
    subscribed_ = ok;
    ++events_;
    cv_.notify_all();
  }
  void disconnected(std::uint32_t) override {
    std::lock_guard lock(mu_);
    ++events_;
    cv_.notify_all();
  }
  void publish_done(std::uint32_t, std::uint64_t n, PublishOutcome outcome) override {
    std::lock_guard lock(mu_);
    if (outcome == PublishOutcome::failed) {
      outbox_.mark_unsent(n);
    } else if (outbox_.ack(n)) {
      ++acked_;
    }
    ++events_;
    cv_.notify_all();
  }
  void message(std::uint32_t c, std::string_view topic, std::string_view payload) override {
    const auto now = now_us();
    std::optional<MessageId> id;
    if (parse_msg_topic(topic)) {
      if (const auto m = parse_message(payload)) id = parse_message_id(m->id);
    }
    std::lock_guard lock(mu_);
    if (c != kReader || !id || id->run != run_tag_) {
      ++foreign_;
      return;
    }
    if (tracker_.received(kReader, kWriter, id->n) == Delivery::first) last_delivery_us_ = now;
    ++events_;
    cv_.notify_all();
  }

  int run(Report& report);

 private:
  template <typename Pred>
  bool wait(Pred pred, double seconds) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return pred() || !error_.empty(); }) &&
           error_.empty();
  }
  std::unique_ptr<MqttClient> make_reader() {
    return std::make_unique<MqttClient>(*this, kReader, o_.uri, std::to_string(pop_.uid(0)) + ":s" + run_tag_,
                                        o_.mqtt_version, 16);
  }

  const Options& o_;
  Population pop_;
  const std::uint32_t reader_only_ = kReader;
  std::mutex mu_;
  std::condition_variable cv_;
  DeliveryTracker tracker_;
  std::string run_tag_;
  Outbox outbox_;
  std::unique_ptr<MqttClient> reader_;
  std::unique_ptr<MqttClient> writer_;
  std::uint64_t events_ = 0;
  bool subscribed_ = false;
  std::uint64_t acked_ = 0;
  std::uint64_t foreign_ = 0;
  std::uint64_t reader_connack_us_ = 0;
  std::uint64_t last_delivery_us_ = 0;
  std::string error_;
};

int SyncRun::run(Report& report) {
  const std::uint64_t x = o_.messages;
  report.param("run", run_tag_);
  report.param("uri", o_.uri);
  report.param("messages", static_cast<double>(x));
  report.param("chats", pop_.groups());
  report.param("payload_bytes", o_.payload_bytes);
  report.param("mqtt_version", o_.mqtt_version);

  ConnectSettings persistent;
  persistent.clean = false;
  persistent.session_expiry_s = 3600;
  persistent.auto_reconnect = false;
  const auto fail = [&](const std::string& what) {
    std::lock_guard lock(mu_);
    std::cerr << "chat-loadgen: sync: " << what << (error_.empty() ? "" : ": " + error_) << "\n";
    return kExitFailed;
  };

  // 1. The reader's device signs in with a persistent session, subscribes to its chats, leaves.
  reader_ = make_reader();
  if (reader_->connect(persistent) != kMqttOk || !wait([&] { return reader_->connected(); }, o_.connect_timeout_s)) {
    return fail("the reader could not connect");
  }
  std::vector<std::string> filters;
  for (std::uint32_t g = 0; g < pop_.groups(); ++g)
    filters.push_back(protocol::group_filter(static_cast<protocol::Id>(pop_.chat_id(g))));
  if (reader_->subscribe(filters, 1) != kMqttOk || !wait([&] { return subscribed_; }, o_.connect_timeout_s)) {
    return fail("the reader could not subscribe");
  }
  (void)reader_->disconnect(1000);
  if (!wait([&] { return !reader_->connected(); }, 5)) return fail("the reader did not disconnect");
  reader_.reset();

  // 2. X messages arrive over Y chats while it is away.
  writer_ = std::make_unique<MqttClient>(*this, kWriter, o_.uri, pop_.client_id(kWriter), o_.mqtt_version,
                                         static_cast<int>(o_.inflight * 2 + 16));
  ConnectSettings clean;
  clean.auto_reconnect = false;
  if (writer_->connect(clean) != kMqttOk || !wait([&] { return writer_->connected(); }, o_.connect_timeout_s)) {
    return fail("the writer could not connect");
  }
  const auto write_start = std::chrono::steady_clock::now();
  for (std::uint64_t n = 0; n < x; ++n) {
    const auto chat = static_cast<std::uint32_t>(n % pop_.groups());
    const auto topic = pop_.topic(pop_.group_dest(chat), 1);
    const auto payload = build_message(format_message_id(run_tag_, 0, n), now_us(), o_.payload_bytes);
    {
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, std::chrono::duration<double>(o_.drain_timeout_s), [&] { return outbox_.has_room(); })) {
        lock.unlock();
        return fail("the broker stopped acking the writer's messages");
      }
      outbox_.add(n, topic, payload, now_us());
      tracker_.sent(kWriter, n, pop_.group_dest(chat));
    }
    if (writer_->publish(topic, payload, 1, n) != kMqttOk) return fail("publish refused");
  }
  if (!wait([&] { return acked_ >= x; }, o_.drain_timeout_s)) return fail("not every message was acked");
  const double write_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - write_start).count();

  // 3. The device comes back: the broker delivers its queue.
  const auto broker_cpu0 = o_.broker_pid > 0 ? process_cpu_seconds(o_.broker_pid) : std::nullopt;
  const double cpu0 = self_cpu_seconds();
  reader_ = make_reader();
  const auto t0 = now_us();
  if (reader_->connect(persistent) != kMqttOk) return fail("the reader could not reconnect");
  const bool complete = wait([&] { return tracker_.firsts() >= x; }, o_.drain_timeout_s);
  const auto t_end = now_us();
  const double cpu1 = self_cpu_seconds();
  const auto broker_cpu1 = o_.broker_pid > 0 ? process_cpu_seconds(o_.broker_pid) : std::nullopt;
  {
    std::lock_guard lock(mu_);
    if (!error_.empty()) {
      std::cerr << "chat-loadgen: sync: " << error_ << "\n";
      return kExitFailed;
    }
  }
  (void)reader_->disconnect(1000);
  (void)writer_->disconnect(1000);
  wait([&] { return !reader_->connected() && !writer_->connected(); }, 3);

  std::lock_guard lock(mu_);
  const auto counts = tracker_.reconcile();
  const double catch_up = last_delivery_us_ > t0 ? static_cast<double>(last_delivery_us_ - t0) / 1e6 : 0;
  const double wall = static_cast<double>(t_end - t0) / 1e6;
  report.figure("write_s", write_s, "s", "writer: X messages published and acked");
  report.figure("connack_ms", reader_connack_us_ > t0 ? static_cast<double>(reader_connack_us_ - t0) / 1e3 : 0, "ms",
                "reader: CONNECT -> CONNACK");
  report.figure("catch_up_s", catch_up, "s", "catch-up: CONNECT -> last queued message");
  report.figure("catch_up_msgs_per_s", catch_up > 0 ? static_cast<double>(counts.delivered) / catch_up : 0, "msg/s",
                "catch-up rate");
  report.figure("expected", static_cast<double>(counts.expected), "", "messages queued for the reader");
  report.figure("delivered", static_cast<double>(counts.delivered), "", "messages received (distinct)");
  report.figure("lost", static_cast<double>(counts.lost), "", "messages lost");
  report.figure("duplicates", static_cast<double>(counts.duplicates), "", "messages duplicated");
  report.figure("foreign", static_cast<double>(foreign_), "", "messages not from this run");
  report.figure("loadgen_cpu_pct", wall > 0 ? 100.0 * (cpu1 - cpu0) / wall : 0, "% of a core",
                "loadgen CPU (catch-up)");
  if (broker_cpu0 && broker_cpu1) {
    report.figure("broker_cpu_pct", wall > 0 ? 100.0 * (*broker_cpu1 - *broker_cpu0) / wall : 0, "% of a core",
                  "broker CPU (catch-up, pid " + std::to_string(o_.broker_pid) + ")");
  }
  report.figure("nproc", static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN)), "", "cores on this machine");
  report.note(
      "plain broker: the catch-up is the broker's queue of a persistent session (the denominator of the "
      "platform's `sync`); what max_queued_messages drops shows as lost");
  if (!complete) report.note("incomplete at --drain-timeout");
  if (o_.strict && (counts.lost > 0 || counts.duplicates > 0)) return kExitLossOrDup;
  return kExitOk;
}

}  // namespace

int run_sync(const Options& options, Report& report) {
  const std::uint32_t chats = options.groups > 0 ? options.groups : 1;
  SyncRun run(options, chats);
  return run.run(report);
}

}  // namespace chat::loadgen
