// plain (and fanout --plain): N users x D devices exchange direct and group
// messages through a broker, QoS 0 or 1, with a bounded window of unacked
// messages per device, at a set rate or as fast as acks come back.
//
// Threads: this one (the driver) publishes; Paho's threads deliver acks and
// messages. Acks wake the driver in batches (a quarter of the windows, at
// most 64), not one by one: every wake-up is a futex call and a context
// switch, and Paho C already spends most of its time on its own locks.
// (Publishing from the ack callback instead was measured and is worse: Paho
// holds its global lock during callbacks, which starves its send thread.)
// Nobody holds a lock of ours while calling Paho (Paho calls back with its
// global lock held, and the callbacks take ours).
//
// QoS 0 has no ack, and "written to the socket" bounds nothing end to end: a
// sender outruns its receivers and the latency measured is the queue that
// builds up. So with QoS 0 the window also caps the deliveries not yet
// received, over the whole run: (sender devices x --inflight).
//
// Processes: Paho C serialises a whole process on its global locks, so one
// process drives about one core. --procs P forks P workers before any Paho
// client exists, each running an independent slice of the users; they
// connect, wait for the parent's start signal, run, and hand their RunTotals
// to the parent as JSON over a pipe.
#include "chat/loadgen/cpu.hpp"
#include "chat/loadgen/histogram.hpp"
#include "chat/loadgen/message.hpp"
#include "chat/loadgen/outbox.hpp"
#include "chat/loadgen/population.hpp"
#include "chat/loadgen/results.hpp"
#include "chat/loadgen/tracker.hpp"
#include "mqtt_client.hpp"
#include "scenarios.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <fcntl.h>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <sys/wait.h>
#include <thread>
#include <tuple>
#include <unistd.h>

namespace chat::loadgen {
namespace {

using std::chrono::microseconds;

std::chrono::steady_clock::duration seconds_to_duration(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

struct Device {
  Device(std::uint32_t window, const Population& pop, double group_share, std::uint64_t seed)
      : picker(pop, group_share, seed), outbox(window) {}
  std::unique_ptr<MqttClient> client;
  std::uint32_t user = 0;
  std::uint32_t device = 0;
  bool sender = false;
  std::vector<std::string> filters;
  std::mutex mu;   // guards picker, outbox and next_n
  DestinationPicker picker;
  Outbox outbox;
  std::uint64_t next_n = 0;
};

class MessagingRun final : public Listener {
 public:
  MessagingRun(const Options& o, const PopulationShape& shape, std::uint32_t senders,
               const PlatformSetup* platform = nullptr)
      : o_(o),
        platform_(platform),
        pop_(shape),
        tracker_([this](std::uint32_t dest) { return pop_.recipients(dest); }, o.no_local),
        run_tag_(make_run_tag(now_us() * 64 + static_cast<std::uint64_t>(getpid() % 64))),
        senders_(senders) {}

  ~MessagingRun() override {
    MqttClient::set_publish_listener(nullptr);
    for (auto& d : devices_) d->client.reset();   // Paho stops calling back into us
  }

  const Population& population() const { return pop_; }
  const std::string& run_tag() const { return run_tag_; }
  std::uint32_t senders() const { return senders_; }
  std::string failure() {
    std::lock_guard lock(fail_mu_);
    return failure_;
  }

  // Creates, connects and subscribes every client. False (see failure()) when it cannot.
  bool connect();
  // Sends, drains, disconnects. False when the run failed midway.
  bool measure(RunTotals& totals);

  // ------------------------------------------------------------ Listener
  void connect_done(std::uint32_t c, bool ok, std::string_view why) override {
    if (!ok) {
      fail("client " + devices_[c]->client->client_id() + " cannot connect: " + std::string(why));
      return;
    }
    const int rc = devices_[c]->client->subscribe(devices_[c]->filters, o_.qos, o_.no_local);
    if (rc != MQTTASYNC_SUCCESS) fail("subscribe: " + MqttClient::error_text(rc));
  }

  void subscribe_done(std::uint32_t c, bool ok) override {
    if (!ok) {
      fail("client " + devices_[c]->client->client_id() + ": subscription refused");
      return;
    }
    subscribed_.fetch_add(1);
  }

  void connection_lost(std::uint32_t c) override {
    auto& d = *devices_[c];
    std::lock_guard lock(d.mu);
    d.outbox.connection_lost();
  }

  void reconnected(std::uint32_t c) override {
    // A clean session lost its subscriptions; what was unacked goes out again, same ids.
    reconnects_.fetch_add(1);
    nodelay_pending_.store(true);
    (void)devices_[c]->client->subscribe(devices_[c]->filters, o_.qos, o_.no_local);
    resend_pending_.store(true);
    wake();
  }

  void message(std::uint32_t c, std::string_view topic, std::string_view payload) override {
    if (platform_ != nullptr && platform_->bridge_acks && topic.starts_with("u/")) {
      platform_event(c, payload);
      return;
    }
    const auto now = now_us();
    std::uint32_t from_user = 0;
    std::uint64_t send_us = 0;
    std::optional<MessageId> id;
    if (const auto t = parse_msg_topic(topic); t && pop_.user_index(t->from, from_user)) {
      if (const auto m = parse_message(payload)) {
        send_us = m->send_us;
        id = parse_message_id(m->id);
      }
    }
    if (!id || id->run != run_tag_ || id->device >= pop_.devices()) {
      foreign_.fetch_add(1);
      return;
    }
    const auto sender = pop_.client(from_user, id->device);
    {
      std::lock_guard lock(stats_mu_);
      if (tracker_.received(c, sender, id->n) == Delivery::first) {
        undelivered_.fetch_sub(1);
        if (send_us != 0) e2e_.record(now > send_us ? now - send_us : 0);
        if (send_us != 0 && !o_.latency_log.empty()) delivery_log_.push_back({send_us, now});
      }
      last_delivery_us_ = now;
    }
    if (delivery_cap_ > 0) wake();
  }

  void publish_done(std::uint32_t c, std::uint64_t n, PublishOutcome outcome) override {
    const auto now = now_us();
    auto& d = *devices_[c];
    if (outcome == PublishOutcome::failed) {
      {
        std::lock_guard lock(d.mu);
        d.outbox.mark_unsent(n);
      }
      publish_failures_.fetch_add(1);
      resend_pending_.store(true);
      wake();
      return;
    }
    // On the platform the broker's PUBACK is not the ack: the bridge's event is.
    if (platform_ != nullptr && platform_->bridge_acks && outcome == PublishOutcome::acked) return;
    settle(c, n, outcome, now);
  }

  // The bridge's `acks` (or a `nack`) for messages of this run sent by device c.
  void platform_event(std::uint32_t c, std::string_view payload) {
    const auto now = now_us();
    auto take = [&](const std::string& id_text, PublishOutcome outcome) {
      const auto id = parse_message_id(id_text);
      // Every device of a user hears its events: the sending device takes them.
      if (!id || id->run != run_tag_ || id->device != devices_[c]->device) return;
      settle(c, id->n, outcome, now);
    };
    const auto acks = parse_ack_events(payload);
    for (const AckEvent& a : acks) take(a.id, PublishOutcome::acked);
    if (acks.empty() && payload.find("\"nack\"") != std::string_view::npos) {
      if (const auto m = parse_message(payload)) take(std::string(m->id), PublishOutcome::rejected);
    }
  }

  void settle(std::uint32_t c, std::uint64_t n, PublishOutcome outcome, std::uint64_t now) {
    auto& d = *devices_[c];
    std::optional<std::uint64_t> first;
    {
      std::lock_guard lock(d.mu);
      first = d.outbox.ack(n);
    }
    if (first) {
      if (outcome == PublishOutcome::rejected) {
        rejected_.fetch_add(1);
      } else {
        std::lock_guard lock(ack_mu_);
        ack_.record(now > *first ? now - *first : 0);
        if (!o_.latency_log.empty()) ack_log_.push_back({*first, now});
        last_ack_us_ = now;
        ++acked_;
      }
      settled_.fetch_add(1);
    }
    wake();
  }

 private:
  void fail(std::string why) {
    std::lock_guard lock(fail_mu_);
    if (failure_.empty()) failure_ = std::move(why);
    failed_.store(true);
  }

  void wake() {
    const auto seq = wake_seq_.fetch_add(1) + 1;
    if (driver_waiting_.load() && seq >= wake_target_.load()) {
      std::lock_guard lock(wake_mu_);
      wake_cv_.notify_one();
    }
  }

  // Waits until `batch` acks (or failures) came in since `seen`, or `timeout`.
  void wait_for_wake(std::uint64_t seen, std::uint64_t batch, microseconds timeout) {
    std::unique_lock lock(wake_mu_);
    wake_target_.store(seen + batch);
    driver_waiting_.store(true);
    wake_cv_.wait_for(lock, timeout, [&] { return wake_seq_.load() >= seen + batch; });
    driver_waiting_.store(false);
  }

  bool claim() {
    if (!sending_.load(std::memory_order_relaxed)) return false;
    if (delivery_cap_ > 0) {
      const auto waiting = undelivered_.load();
      if (waiting > 0 && waiting >= delivery_cap_) return false;
    }
    if (quota_.fetch_sub(1) <= 0) {
      quota_.fetch_add(1);
      return false;
    }
    return true;
  }
  void unclaim() { quota_.fetch_add(1); }

  bool send_one(Device& d);
  void resend_unsent();
  void disconnect_all();

  const Options& o_;
  const PlatformSetup* platform_;
  Population pop_;
  std::vector<std::unique_ptr<Device>> devices_;
  std::vector<std::uint32_t> sender_clients_;   // client indices of sender devices

  std::mutex stats_mu_;   // tracker_, e2e_, last_delivery_us_
  DeliveryTracker tracker_;
  Histogram e2e_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> delivery_log_;   // --latency-log: (sent, delivered) µs
  std::uint64_t last_delivery_us_ = 0;

  std::mutex ack_mu_;     // ack_, ack_log_, last_ack_us_, acked_
  Histogram ack_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ack_log_;   // --latency-log: (sent, acked) µs
  std::uint64_t last_ack_us_ = 0;
  std::uint64_t acked_ = 0;

  std::string run_tag_;
  std::uint32_t senders_;
  double connect_s_ = 0;
  std::atomic<bool> sending_{false};
  bool stalled_ = false;                    // the driver's only
  std::atomic<std::int64_t> quota_{0};      // first sends still allowed
  std::atomic<std::uint64_t> issued_{0};    // first sends made
  std::atomic<std::int64_t> undelivered_{0};   // expected deliveries not received yet
  std::int64_t delivery_cap_ = 0;           // QoS 0: at most this many undelivered; 0 = no cap
  std::atomic<std::uint64_t> settled_{0};   // acked or rejected first sends
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> publish_failures_{0};
  std::atomic<std::uint64_t> reconnects_{0};
  std::atomic<std::uint64_t> foreign_{0};
  std::atomic<std::uint32_t> subscribed_{0};
  std::atomic<bool> resend_pending_{false};
  std::atomic<bool> nodelay_pending_{false};   // a reconnect made a new socket

  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  std::atomic<std::uint64_t> wake_seq_{0};
  std::atomic<bool> driver_waiting_{false};
  std::atomic<std::uint64_t> wake_target_{0};

  std::mutex fail_mu_;
  std::string failure_;
  std::atomic<bool> failed_{false};
};

bool MessagingRun::connect() {
  const std::uint32_t window = o_.inflight;
  for (std::uint32_t c = 0; c < pop_.clients(); ++c) {
    auto d = std::make_unique<Device>(window, pop_, o_.group_share, o_.seed * 1000003ULL + c);
    d->user = pop_.user_of(c);
    d->device = pop_.device_of(c);
    d->sender = d->user < senders_;
    d->filters = pop_.subscriptions(c);
    if (platform_ != nullptr && platform_->bridge_acks) d->filters.push_back(user_event_topic(pop_.uid(d->user)));
    // Paho's own queue of publishes not yet written must hold the window and the resends.
    d->client = std::make_unique<MqttClient>(*this, c, o_.uri, pop_.client_id(c), o_.mqtt_version,
                                             static_cast<int>(std::min<std::uint64_t>(window * 2ULL + 16, 1U << 30)));
    if (d->sender) sender_clients_.push_back(c);
    devices_.push_back(std::move(d));
  }
  MqttClient::set_publish_listener(this);

  // Keeps Paho's receive loop cycling while sockets come up (see Ticker); stopped on return.
  // With tokens only (no bridge), each worker's Ticker is its own user (client ids must differ).
  const std::uint64_t ticker_user = platform_ == nullptr ? ticker_uid()
                                    : platform_->bridge_acks ? platform_->ticker_uid
                                                             : platform_->ticker_uid + o_.uid_base;
  Ticker ticker(o_.uri, ticker_user, o_.mqtt_version);
  if (platform_ != nullptr) {
    if (const auto it = platform_->credentials.find(ticker_user); it != platform_->credentials.end()) {
      ticker.set_credentials(it->second.first, it->second.second);
    }
  }
  if (!ticker.start(o_.connect_timeout_s)) {
    fail("cannot connect to " + o_.uri);
    return false;
  }
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + seconds_to_duration(o_.connect_timeout_s);
  const std::uint32_t total = pop_.clients();
  ConnectSettings settings;   // clean sessions, automatic reconnect
  std::uint32_t started = 0;
  while (subscribed_.load() < total) {
    if (failed_.load()) return false;
    // At most --connect-window handshakes outstanding: thousands at once would make the
    // broker's accept queue and Paho's connect timeout the subject of the test.
    while (started < total && started - std::min(started, subscribed_.load()) < o_.connect_window) {
      if (platform_ != nullptr) {
        const auto uid = pop_.uid(devices_[started]->user);
        if (const auto it = platform_->credentials.find(uid); it != platform_->credentials.end()) {
          settings.username = it->second.first;
          settings.password = it->second.second;
        }
      }
      const int rc = devices_[started]->client->connect(settings);
      if (rc != MQTTASYNC_SUCCESS) {
        fail("connect " + devices_[started]->client->client_id() + ": " + MqttClient::error_text(rc));
        return false;
      }
      ++started;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      fail("only " + std::to_string(subscribed_.load()) + " of " + std::to_string(total) +
           " clients connected and subscribed within --connect-timeout");
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  connect_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  (void)MqttClient::set_nodelay_on_all_sockets();
  return true;
}

bool MessagingRun::send_one(Device& d) {
  if (!d.client->connected() || !claim()) return false;
  std::uint32_t dest = 0;
  std::uint64_t n = 0;
  std::string topic;
  std::string payload;
  {
    std::lock_guard lock(d.mu);
    if (!d.outbox.has_room() || !d.picker.pick(d.user, dest)) {
      unclaim();
      return false;
    }
    n = d.next_n++;
    topic = pop_.topic(dest, d.user);
    const auto t = now_us();
    payload = build_message(format_message_id(run_tag_, d.device, n), t, o_.payload_bytes);
    d.outbox.add(n, topic, payload, t);
  }
  {
    // Before the publish: a delivery may arrive before MQTTAsync_sendMessage returns.
    std::lock_guard lock(stats_mu_);
    undelivered_.fetch_add(static_cast<std::int64_t>(tracker_.sent(d.client->index(), n, dest)));
  }
  issued_.fetch_add(1);
  const int rc = d.client->publish(topic, payload, o_.qos, n);
  if (rc != MQTTASYNC_SUCCESS) {
    {
      std::lock_guard lock(d.mu);
      d.outbox.mark_unsent(n);
    }
    publish_failures_.fetch_add(1);
    resend_pending_.store(true);
  }
  return true;
}

void MessagingRun::resend_unsent() {
  if (nodelay_pending_.exchange(false)) (void)MqttClient::set_nodelay_on_all_sockets();
  if (!resend_pending_.exchange(false)) return;
  for (const auto c : sender_clients_) {
    auto& d = *devices_[c];
    if (!d.client->connected()) {
      std::lock_guard lock(d.mu);
      if (d.outbox.unsent() > 0) resend_pending_.store(true);   // when it is back
      continue;
    }
    std::vector<Pending> again;
    {
      std::lock_guard lock(d.mu);
      again = d.outbox.take_unsent();
    }
    for (const auto& p : again) {
      if (d.client->publish(p.topic, p.payload, o_.qos, p.n) != MQTTASYNC_SUCCESS) {
        std::lock_guard lock(d.mu);
        d.outbox.mark_unsent(p.n);
        resend_pending_.store(true);
      }
    }
  }
}

void MessagingRun::disconnect_all() {
  for (auto& d : devices_) {
    if (d->client->connected()) (void)d->client->disconnect(1000);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < deadline &&
         std::any_of(devices_.begin(), devices_.end(), [](const auto& d) { return d->client->connected(); })) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// --latency-log: one line per ack and per delivery, "sent_ms latency_ms ack|delivery", by send time.
using TimedEvents = std::vector<std::pair<std::uint64_t, std::uint64_t>>;   // (sent, happened) µs
bool write_latency_log(const std::string& path, std::uint64_t t0_us, const TimedEvents& acks,
                       const TimedEvents& deliveries) {
  std::vector<std::tuple<std::uint64_t, std::uint64_t, const char*>> lines;
  lines.reserve(acks.size() + deliveries.size());
  for (const auto& [sent, at] : acks) lines.emplace_back(sent, at, "ack");
  for (const auto& [sent, at] : deliveries) lines.emplace_back(sent, at, "delivery");
  std::sort(lines.begin(), lines.end());
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  for (const auto& [sent, at, kind] : lines) {
    std::fprintf(f, "%.3f %.3f %s\n", static_cast<double>(sent - std::min(sent, t0_us)) / 1000.0,
                 static_cast<double>(at - std::min(at, sent)) / 1000.0, kind);
  }
  return std::fclose(f) == 0;
}

bool MessagingRun::measure(RunTotals& totals) {
  const double cpu0 = self_cpu_seconds();
  const auto t0 = now_us();
  const auto steady0 = std::chrono::steady_clock::now();
  const auto send_until = steady0 + seconds_to_duration(o_.duration_s);
  const bool by_count = o_.duration_s <= 0;
  quota_.store(by_count ? static_cast<std::int64_t>(o_.messages) : std::numeric_limits<std::int64_t>::max());
  sending_.store(true);
  std::size_t rr = 0;
  std::uint64_t paced = 0;   // --rate: first sends the pacing allowed so far
  const std::uint64_t wake_batch =
      std::clamp<std::uint64_t>(static_cast<std::uint64_t>(sender_clients_.size()) * o_.inflight / 4, 1, 64);
  if (o_.qos == 0) delivery_cap_ = static_cast<std::int64_t>(sender_clients_.size()) * o_.inflight;
  // A run whose windows never free up (acks or QoS 0 deliveries lost for good) ends after
  // --drain-timeout without progress instead of hanging.
  std::uint64_t last_issued = 0;
  auto last_progress = steady0;
  while (!failed_.load()) {
    resend_unsent();
    const auto now = std::chrono::steady_clock::now();
    if (by_count ? issued_.load() >= o_.messages : now >= send_until) break;
    if (issued_.load() != last_issued) {
      last_issued = issued_.load();
      last_progress = now;
    } else if (now - last_progress > seconds_to_duration(std::max(o_.drain_timeout_s, 1.0))) {
      stalled_ = true;
      break;
    }
    if (o_.rate <= 0) {
      // As fast as acks come back: fill every window, then wait for a batch of acks.
      const auto seen = wake_seq_.load();
      std::uint64_t progress = 0;
      for (const auto c : sender_clients_) {
        while (send_one(*devices_[c])) ++progress;
      }
      if (progress == 0) wait_for_wake(seen, wake_batch, microseconds(1000));
      continue;
    }
    const double elapsed = std::chrono::duration<double>(now - steady0).count();
    const auto allowed = static_cast<std::uint64_t>(std::floor(o_.rate * elapsed)) + 1;
    if (allowed <= paced) {
      const auto next = steady0 + seconds_to_duration(static_cast<double>(paced) / o_.rate);
      std::this_thread::sleep_until(std::min(next, now + std::chrono::milliseconds(5)));
      continue;
    }
    const auto seen = wake_seq_.load();
    std::uint64_t progress = 0;
    for (std::size_t k = 0; k < sender_clients_.size() && paced < allowed; ++k) {
      auto& d = *devices_[sender_clients_[(rr + k) % sender_clients_.size()]];
      if (send_one(d)) {
        ++progress;
        ++paced;
      }
    }
    rr = (rr + 1) % sender_clients_.size();
    if (progress == 0) wait_for_wake(seen, 1, microseconds(1000));   // every window is full
  }
  sending_.store(false);
  const auto send_end = now_us();
  // For scripts that act between the send phase and the drain (scripts/bench-platform).
  std::cerr << "chat-loadgen: send phase over, " << issued_.load() << " messages sent\n" << std::flush;

  // Drain: every first send settled (acked or refused) and every expected delivery in.
  const auto drain_deadline = std::chrono::steady_clock::now() + seconds_to_duration(o_.drain_timeout_s);
  bool drained = false;
  while (!failed_.load()) {
    resend_unsent();
    bool delivered = false;
    {
      std::lock_guard lock(stats_mu_);
      delivered = tracker_.firsts() >= tracker_.expected();
    }
    const bool settled = settled_.load() >= issued_.load();
    if (settled && delivered) {
      drained = true;
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= drain_deadline) break;
    // Everything acked, deliveries missing and none arriving for a while: they are lost
    // (a plain broker drops what a clean session missed); no need to sit out the timeout.
    if (settled) {
      std::uint64_t last = 0;
      {
        std::lock_guard lock(stats_mu_);
        last = last_delivery_us_;
      }
      const auto quiet_us = static_cast<std::uint64_t>(std::min(o_.drain_timeout_s, 2.0) * 1e6);
      if (now_us() > std::max(last, send_end) + quiet_us) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const auto t_end = now_us();
  const double cpu1 = self_cpu_seconds();
  disconnect_all();
  MqttClient::set_publish_listener(nullptr);
  if (failed_.load()) return false;

  totals.t0_us = t0;
  totals.send_end_us = send_end;
  totals.end_us = t_end;
  totals.cpu_s = cpu1 - cpu0;
  totals.connect_s = connect_s_;
  totals.clients = pop_.clients();
  totals.issued = issued_.load();
  totals.rejected = rejected_.load();
  totals.publish_failures = publish_failures_.load();
  totals.reconnects = reconnects_.load();
  totals.foreign = foreign_.load();
  totals.drained = drained && !stalled_;
  {
    std::lock_guard lock(stats_mu_);
    std::vector<DeliveryTracker::Lost> lost;
    totals.counts = tracker_.reconcile(&lost);
    totals.last_delivery_us = last_delivery_us_;
    totals.e2e = e2e_;
    for (const auto& l : lost) {
      totals.lost_examples.push_back(pop_.client_id(l.sender) + " message " + std::to_string(l.n) + " for " +
                                     pop_.client_id(l.receiver));
    }
  }
  {
    std::lock_guard lock(ack_mu_);
    totals.acked = acked_;
    totals.last_ack_us = last_ack_us_;
    totals.ack = ack_;
    if (!o_.latency_log.empty() && !write_latency_log(o_.latency_log, t0, ack_log_, delivery_log_)) {
      std::cerr << "chat-loadgen: cannot write " << o_.latency_log << ": " << std::strerror(errno) << "\n";
    }
  }
  for (auto& d : devices_) {
    std::lock_guard lock(d->mu);
    totals.resends += d->outbox.resends();
    totals.unknown_acks += d->outbox.unknown_acks();
  }
  return true;
}

// ------------------------------------------------------------------ the report

void describe(const Options& o, const PopulationShape& shape, std::uint32_t senders, Report& report) {
  report.param("uri", o.uri);
  report.param("users", shape.users);
  report.param("devices", shape.devices);
  report.param("groups", shape.groups);
  report.param("group_size", shape.group_size);
  report.param("group_share", o.group_share);
  report.param("senders", senders);
  report.param("qos", o.qos);
  report.param("inflight", o.inflight);
  report.param("payload_bytes", o.payload_bytes);
  report.param("mqtt_version", o.mqtt_version);
  report.param("no_local", o.no_local ? "yes" : "no");
  report.param("rate", o.rate);
  report.param("procs", o.procs);
  if (o.duration_s > 0) {
    report.param("duration_s", o.duration_s);
  } else {
    report.param("messages", static_cast<double>(o.messages));
  }
}

int fill_report(const Options& o, const RunTotals& t, std::optional<double> broker_cpu_s, Report& report) {
  const bool platform = o.mode == Mode::platform;
  const double wall = t.wall_s();
  const double send_s = t.send_end_us > t.t0_us ? static_cast<double>(t.send_end_us - t.t0_us) / 1e6 : 0;
  report.figure("clients", static_cast<double>(t.clients), "", "MQTT clients (users x devices)");
  report.figure("connect_s", t.connect_s, "s", "connect + subscribe, all clients");
  report.figure("sent", static_cast<double>(t.issued), "msg", "messages sent (first publishes)");
  report.figure("acked", static_cast<double>(t.acked), "msg",
                o.qos == 0 ? "messages written (QoS 0: no ack)"
                           : platform ? "messages stored and acked (`ack` event)" : "messages acked (PUBACK)");
  report.figure("msgs_per_s", t.acked_per_s(), "msg/s",
                o.qos == 0 ? "throughput, messages written/s" : "throughput, messages acked/s");
  report.figure("deliveries_per_s", t.deliveries_per_s(), "msg/s", "throughput, deliveries/s (all recipient devices)");
  report.figure("send_s", send_s, "s", "send phase");
  report.latency("e2e", t.e2e, "latency sender -> recipient");
  report.latency("ack", t.ack, o.qos == 0 ? "latency send -> written"
                               : platform ? "latency send -> ack (`ack` event)" : "latency send -> ack (PUBACK)");
  report.figure("expected", static_cast<double>(t.counts.expected), "", "deliveries expected");
  report.figure("delivered", static_cast<double>(t.counts.delivered), "", "deliveries received (distinct)");
  report.figure("lost", static_cast<double>(t.counts.lost), "", "deliveries lost");
  report.figure("duplicates", static_cast<double>(t.counts.duplicates), "", "deliveries duplicated (dropped by (from,id))");
  report.figure("unexpected", static_cast<double>(t.counts.unexpected), "", "deliveries to a non-recipient");
  report.figure("foreign", static_cast<double>(t.foreign), "", "messages not from this run");
  report.figure("rejected", static_cast<double>(t.rejected), "", "publishes refused by the broker");
  report.figure("resends", static_cast<double>(t.resends), "", "resends (same id, after a failure/reconnect)");
  report.figure("reconnects", static_cast<double>(t.reconnects), "", "reconnects");
  report.figure("unknown_acks", static_cast<double>(t.unknown_acks), "", "acks for no pending message");
  report.figure("drained", t.drained ? 1 : 0, "", "all acked and delivered before --drain-timeout");
  report.figure("loadgen_cpu_pct", wall > 0 ? 100.0 * t.cpu_s / wall : 0, "% of a core",
                o.procs > 1 ? "loadgen CPU (all " + std::to_string(o.procs) + " processes)" : "loadgen CPU");
  if (broker_cpu_s) {
    report.figure("broker_cpu_pct", wall > 0 ? 100.0 * *broker_cpu_s / wall : 0, "% of a core",
                  "broker CPU (pid " + std::to_string(o.broker_pid) + ")");
  }
  report.figure("nproc", static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN)), "", "cores on this machine");

  if (!platform) report.note(o.qos == 0 ? "plain broker, QoS 0: \"ack\" is Paho writing the PUBLISH to the socket (there is no PUBACK)"
                         : "plain broker, no bridge: \"ack\" is the broker's PUBACK, not the platform's `ack` event");
  report.note("latencies are measured from the first publish of a message (a resend keeps its time)");
  if (o.procs > 1) {
    report.note("--procs " + std::to_string(o.procs) + ": independent slices of the users, messages stay within a slice");
  }
  if (o.broker_pid > 0) {
    report.note("the loadgen and the broker share this machine's cores; a broker near 100% of a core is the limit");
  }
  if (!t.drained) report.note("not drained: the figures include messages still missing at --drain-timeout");
  for (const auto& l : t.lost_examples) report.note("lost: " + l);
  if (o.strict && (t.counts.lost > 0 || t.counts.duplicates > 0 || t.counts.unexpected > 0)) return kExitLossOrDup;
  return kExitOk;
}

// ------------------------------------------------------------------ one process

struct Shape {
  PopulationShape population;
  std::uint32_t senders;
  Options options;   // with fanout's adjustments
};

Shape shape_of(const Options& options) {
  Shape s{.population = PopulationShape{.users = options.users,
                                        .devices = options.devices,
                                        .groups = options.groups,
                                        .group_size = options.group_size,
                                        .uid_base = options.uid_base,
                                        .chat_base = options.chat_base},
          .senders = options.senders == 0 ? options.users : options.senders,
          .options = options};
  if (options.mode == Mode::fanout) {
    // One sender, one group of M members (all the users), every message to the group.
    const std::uint32_t m = options.group_size > 0 ? options.group_size : options.users;
    s.population.users = m;
    s.population.groups = 1;
    s.population.group_size = m;
    s.senders = 1;
    s.options.group_share = 1.0;
  }
  return s;
}

int run_single(const Options& options, Report& report, const PlatformSetup* platform) {
  const auto shape = shape_of(options);
  MessagingRun run(shape.options, shape.population, shape.senders, platform);
  report.param("run", run.run_tag());
  describe(shape.options, shape.population, shape.senders, report);
  if (!run.connect()) {
    std::cerr << "chat-loadgen: " << run.failure() << "\n";
    return kExitFailed;
  }
  const auto broker0 = options.broker_pid > 0 ? process_cpu_seconds(options.broker_pid) : std::nullopt;
  RunTotals totals;
  const bool ok = run.measure(totals);
  const auto broker1 = options.broker_pid > 0 ? process_cpu_seconds(options.broker_pid) : std::nullopt;
  if (!ok) {
    std::cerr << "chat-loadgen: " << run.failure() << "\n";
    return kExitFailed;
  }
  std::optional<double> broker_cpu;
  if (broker0 && broker1) broker_cpu = *broker1 - *broker0;
  return fill_report(shape.options, totals, broker_cpu, report);
}

// ------------------------------------------------------------------ worker processes

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads until `stop` is seen (returns what precedes it) or EOF (returns nullopt).
std::optional<std::string> read_until(int fd, std::string& buffer, char stop) {
  for (;;) {
    if (const auto pos = buffer.find(stop); pos != std::string::npos) {
      auto out = buffer.substr(0, pos);
      buffer.erase(0, pos + 1);
      return out;
    }
    char chunk[65536];
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

// In the child: connect, say "ready", wait for "go", run, send the totals. Never returns.
[[noreturn]] void worker_main(const Options& options, int to_parent, int from_parent, const PlatformSetup* platform) {
  int code = 0;
  {
    MessagingRun run(options, shape_of(options).population, shape_of(options).senders, platform);
    std::string buffer;
    if (!run.connect()) {
      std::cerr << "chat-loadgen worker: " << run.failure() << "\n";
      (void)write_all(to_parent, "F\n");
      code = kExitFailed;
    } else if (write_all(to_parent, "R\n") && read_until(from_parent, buffer, '\n') == std::string("G")) {
      RunTotals totals;
      if (run.measure(totals)) {
        (void)write_all(to_parent, to_json(totals) + "\n");
      } else {
        std::cerr << "chat-loadgen worker: " << run.failure() << "\n";
        code = kExitFailed;
      }
    } else {
      code = kExitFailed;
    }
  }
  close(to_parent);
  close(from_parent);
  std::_Exit(code);   // no atexit handlers or buffered stdout of the parent's copy
}

int run_workers(const Options& options, Report& report, const PlatformSetup* platform) {
  const auto split = split_for_workers(options);
  if (!split.error.empty()) {
    std::cerr << "chat-loadgen: " << split.error << "\n";
    return kExitUsage;
  }
  struct Worker {
    pid_t pid = -1;
    int from_child = -1;   // the parent reads
    int to_child = -1;     // the parent writes
    std::string buffer;
  };
  std::vector<Worker> workers;
  std::cout.flush();
  std::cerr.flush();
  for (const auto& w : split.workers) {
    int up[2];
    int down[2];
    if (pipe2(up, O_CLOEXEC) != 0 || pipe2(down, O_CLOEXEC) != 0) {
      std::cerr << "chat-loadgen: pipe: " << std::strerror(errno) << "\n";
      return kExitFailed;
    }
    const pid_t pid = fork();
    if (pid < 0) {
      std::cerr << "chat-loadgen: fork: " << std::strerror(errno) << "\n";
      return kExitFailed;
    }
    if (pid == 0) {
      close(up[0]);
      close(down[1]);
      for (auto& other : workers) {
        close(other.from_child);
        close(other.to_child);
      }
      worker_main(w, up[1], down[0], platform);
    }
    close(up[1]);
    close(down[0]);
    workers.push_back(Worker{.pid = pid, .from_child = up[0], .to_child = down[1]});
  }

  const auto reap = [&workers] {
    for (auto& w : workers) {
      close(w.from_child);
      close(w.to_child);
      int status = 0;
      while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  };
  bool ok = true;
  for (auto& w : workers) {
    const auto line = read_until(w.from_child, w.buffer, '\n');
    if (line != std::string("R")) ok = false;
  }
  if (!ok) {
    for (auto& w : workers) kill(w.pid, SIGTERM);
    reap();
    std::cerr << "chat-loadgen: a worker could not connect\n";
    return kExitFailed;
  }
  const auto broker0 = options.broker_pid > 0 ? process_cpu_seconds(options.broker_pid) : std::nullopt;
  for (auto& w : workers) ok = write_all(w.to_child, "G\n") && ok;
  RunTotals totals;
  for (auto& w : workers) {
    const auto line = read_until(w.from_child, w.buffer, '\n');
    const auto part = line ? totals_from_json(*line) : std::nullopt;
    if (!part) {
      ok = false;
      continue;
    }
    merge(totals, *part);
  }
  const auto broker1 = options.broker_pid > 0 ? process_cpu_seconds(options.broker_pid) : std::nullopt;
  reap();
  if (!ok) {
    std::cerr << "chat-loadgen: a worker failed\n";
    return kExitFailed;
  }
  report.param("run", "per worker");
  const auto shape = shape_of(options);
  describe(options, shape.population, shape.senders, report);
  std::optional<double> broker_cpu;
  if (broker0 && broker1) broker_cpu = *broker1 - *broker0;
  return fill_report(options, totals, broker_cpu, report);
}

}  // namespace

std::uint64_t ticker_uid() { return (std::uint64_t{1} << 62) + static_cast<std::uint64_t>(getpid()); }

std::uint64_t now_us() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000ULL + static_cast<std::uint64_t>(ts.tv_nsec) / 1000ULL;
}

int run_messaging(const Options& options, Report& report, const PlatformSetup* platform) {
  return options.procs > 1 ? run_workers(options, report, platform) : run_single(options, report, platform);
}

}  // namespace chat::loadgen
