// plain and platform messaging (and fanout --plain): simulated users exchange
// direct and group messages through a broker, QoS 0 or 1, with a bounded window
// of unacked messages per device, either on a fixed-rate schedule (open loop)
// or as fast as acks come back (closed loop).
//
// Threads: the driver (scheduling and publishing) is the event loop's tick,
// so publishes, acks and deliveries are handled by the one loop thread with no
// hand-off per message. The main thread connects, starts the run and waits.
//
// Open loop: message k is due at t0 + k / --rate and goes to sender k mod S.
// When that sender's window is full the message is held (in order) and sent
// as soon as an ack frees a place; either way its latency counts from its due
// time, so a slow ack shows as latency, never as a lower offered rate.
//
// QoS 0 has no ack, and "written to the socket" bounds nothing end to end: in
// the closed loop the window also caps the deliveries not yet received, over
// the whole run (sender devices x --inflight).
#include "chat/loadgen/cpu.hpp"
#include "chat/loadgen/histogram.hpp"
#include "chat/loadgen/message.hpp"
#include "chat/loadgen/outbox.hpp"
#include "chat/loadgen/population.hpp"
#include "chat/loadgen/results.hpp"
#include "chat/loadgen/schedule.hpp"
#include "chat/loadgen/shape.hpp"
#include "chat/loadgen/tracker.hpp"
#include "chat/loadgen/windows.hpp"
#include "event_loop.hpp"
#include "mqtt_client.hpp"
#include "run_report.hpp"
#include "scenarios.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>
#include <tuple>
#include <unistd.h>

namespace chat::loadgen {
namespace {

struct Device {
  Device(std::uint32_t window, const Population& pop, double group_share, std::uint64_t seed, bool paired)
      : picker(pop, group_share, seed, paired), outbox(window) {}
  std::unique_ptr<MqttClient> client;
  std::uint32_t user = 0;
  std::uint32_t device = 0;
  bool sender = false;
  bool ready = false;   // queued in the driver's ready list
  std::vector<std::string> filters;
  DestinationPicker picker;
  Outbox outbox;
  std::uint64_t next_n = 0;
  std::deque<std::uint64_t> held;   // open loop: due times of messages waiting for room in the window
};

using TimedEvents = std::vector<std::pair<std::uint64_t, std::uint64_t>>;   // (sent, happened) µs

class MessagingRun final : public Listener {
 public:
  MessagingRun(const Options& o, const Traffic& traffic, const PlatformSetup* platform)
      : o_(o),
        traffic_(traffic),
        platform_(platform),
        bridge_acks_(platform != nullptr && platform->bridge_acks),
        pop_(traffic.population),
        tracker_([this](std::uint32_t dest) { return pop_.recipients(dest); }, o.no_local),
        windows_(0, 1),
        run_tag_(make_run_tag(now_us() * 64 + static_cast<std::uint64_t>(getpid() % 64))) {}

  ~MessagingRun() override {
    EventLoop::instance().set_tick({});
    for (auto& d : devices_) d->client.reset();
  }

  const std::string& run_tag() const { return run_tag_; }
  std::string failure() {
    std::lock_guard lock(fail_mu_);
    return failure_;
  }

  bool connect();
  bool measure(RunTotals& totals, WindowedStats& windows);

  // ------------------------------------------------------------ Listener (loop thread)
  void connect_done(std::uint32_t c, bool ok, std::string_view why) override {
    if (!ok) {
      fail("client " + devices_[c]->client->client_id() + " cannot connect: " + std::string(why));
      return;
    }
    if (devices_[c]->client->subscribe(devices_[c]->filters, o_.qos, o_.no_local) != kMqttOk) fail("subscribe refused");
  }
  void subscribe_done(std::uint32_t c, bool ok) override {
    if (!ok && platform_ != nullptr && subscribe_retries_[c]++ < max_subscribe_retries()) {
      devices_[c]->client->resubscribe_later(devices_[c]->filters, o_.qos, o_.no_local);   // see there
      return;
    }
    if (!ok) {
      fail("client " + devices_[c]->client->client_id() + ": subscription refused");
      return;
    }
    subscribed_.fetch_add(1);
  }
  void connection_lost(std::uint32_t c) override {
    devices_[c]->outbox.connection_lost();
    retry_pending_ = true;
  }
  void reconnected(std::uint32_t c) override {
    // A clean session lost its subscriptions; what was unacked goes out again, same ids.
    ++reconnects_;
    (void)devices_[c]->client->subscribe(devices_[c]->filters, o_.qos, o_.no_local);
    retry_pending_ = true;
  }
  void message(std::uint32_t c, std::string_view topic, std::string_view payload) override;
  void publish_done(std::uint32_t c, std::uint64_t n, PublishOutcome outcome) override {
    if (outcome == PublishOutcome::failed) {
      devices_[c]->outbox.mark_unsent(n);
      ++publish_failures_;
      retry_pending_ = true;
      return;
    }
    // On the platform the broker's PUBACK is not the ack: the bridge's event is.
    if (bridge_acks_ && outcome == PublishOutcome::acked) return;
    settle(c, n, outcome, now_us());
  }

 private:
  void fail(std::string why) {
    std::lock_guard lock(fail_mu_);
    if (failure_.empty()) failure_ = std::move(why);
    failed_.store(true);
  }
  void platform_event(std::uint32_t c, std::string_view payload);
  void settle(std::uint32_t c, std::uint64_t n, PublishOutcome outcome, std::uint64_t now);
  void publish_new(Device& d, std::uint64_t due_us);
  void resend(Device& d);
  void make_ready(Device& d);
  std::chrono::microseconds tick();
  void send_closed_loop();
  std::uint64_t send_on_schedule(std::uint64_t now);
  bool drain_done(std::uint64_t now);
  void finish();
  void disconnect_all();
  bool closed_loop() const { return o_.rate <= 0; }
  std::uint32_t max_subscribe_retries() const {
    return static_cast<std::uint32_t>(o_.connect_timeout_s * 1000 /
                                      static_cast<double>(MqttClient::kResubscribeDelay.count()));
  }

  const Options& o_;
  Traffic traffic_;
  const PlatformSetup* platform_;
  bool bridge_acks_;
  Population pop_;
  std::vector<std::unique_ptr<Device>> devices_;
  std::vector<std::uint32_t> sender_clients_;

  // Loop thread only while the run is measured; the main thread reads them after finish().
  DeliveryTracker tracker_;
  Histogram e2e_;
  Histogram ack_;
  WindowedStats windows_;
  TimedEvents delivery_log_;   // --latency-log
  TimedEvents ack_log_;
  std::string run_tag_;
  std::uint64_t t0_ = 0;
  std::uint64_t send_end_ = 0;
  std::uint64_t drain_deadline_ = 0;
  std::uint64_t last_delivery_us_ = 0;
  std::uint64_t last_ack_us_ = 0;
  std::uint64_t issued_ = 0;       // messages due (first sends, held ones included)
  std::uint64_t settled_ = 0;
  std::uint64_t acked_ = 0;
  std::uint64_t rejected_ = 0;
  std::uint64_t publish_failures_ = 0;
  std::uint64_t reconnects_ = 0;
  std::uint64_t foreign_ = 0;
  std::int64_t undelivered_ = 0;   // expected deliveries not received yet
  std::int64_t delivery_cap_ = 0;  // closed loop, QoS 0: at most this many undelivered; 0 = no cap
  std::uint64_t last_progress_us_ = 0;
  std::uint64_t progress_mark_ = 0;
  bool stalled_ = false;
  bool retry_pending_ = false;     // unsent or held messages wait for a connection
  bool drained_ = false;
  std::vector<Device*> ready_;     // closed loop: devices whose window may have room
  std::unique_ptr<FixedRateSchedule> schedule_;
  std::uint64_t scheduled_ = 0;    // open loop: messages whose due time has come
  double connect_s_ = 0;

  std::atomic<std::uint32_t> subscribed_{0};
  std::vector<std::uint32_t> subscribe_retries_;   // loop thread: per client
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::mutex fail_mu_;
  std::string failure_;
  std::atomic<bool> failed_{false};
};

bool MessagingRun::connect() {
  subscribe_retries_.assign(pop_.clients(), 0);
  for (std::uint32_t c = 0; c < pop_.clients(); ++c) {
    auto d = std::make_unique<Device>(o_.inflight, pop_, traffic_.group_share, o_.seed * 1000003ULL + c, traffic_.paired);
    d->user = pop_.user_of(c);
    d->device = pop_.device_of(c);
    d->sender = d->user < traffic_.senders;
    d->filters = pop_.subscriptions(c);
    if (bridge_acks_) d->filters.push_back(user_event_topic(pop_.uid(d->user)));
    d->client = std::make_unique<MqttClient>(*this, c, o_.uri, pop_.client_id(c), o_.mqtt_version,
                                             static_cast<int>(std::min<std::uint32_t>(o_.inflight, 65535)));
    if (d->sender) sender_clients_.push_back(c);
    devices_.push_back(std::move(d));
  }
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>(o_.connect_timeout_s));
  const std::uint32_t total = pop_.clients();
  ConnectSettings settings;   // clean sessions, automatic reconnect
  std::uint32_t started = 0;
  while (subscribed_.load() < total) {
    if (failed_.load()) return false;
    // At most --connect-window handshakes outstanding: thousands at once would make the
    // broker's accept queue the subject of the test.
    while (started < total && started - std::min(started, subscribed_.load()) < o_.connect_window) {
      if (platform_ != nullptr) {
        const auto uid = pop_.uid(devices_[started]->user);
        if (const auto it = platform_->credentials.find(uid); it != platform_->credentials.end()) {
          settings.username = it->second.first;
          settings.password = it->second.second;
        }
      }
      const int rc = devices_[started]->client->connect(settings);
      if (rc != kMqttOk) {
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
    std::this_thread::sleep_for(std::chrono::milliseconds(1));   // outcomes arrive on the event loop
  }
  connect_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return true;
}

void MessagingRun::message(std::uint32_t c, std::string_view topic, std::string_view payload) {
  if (bridge_acks_ && topic.starts_with("u/")) {
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
    ++foreign_;
    return;
  }
  if (tracker_.received(c, pop_.client(from_user, id->device), id->n) == Delivery::first) {
    --undelivered_;
    if (send_us != 0) {
      const auto latency = now > send_us ? now - send_us : 0;
      e2e_.record(latency);
      windows_.delivered(now, latency);
      if (!o_.latency_log.empty()) delivery_log_.emplace_back(send_us, now);
    }
  }
  last_delivery_us_ = now;
}

// The bridge's acks (either shape) or a nack for messages of this run sent by device c.
void MessagingRun::platform_event(std::uint32_t c, std::string_view payload) {
  const auto now = now_us();
  // Every device of a user hears its events: the sending device takes them.
  const auto mine = [&](const std::string& text) {
    const auto id = parse_message_id(text);
    return id && id->run == run_tag_ && id->device == devices_[c]->device ? id : std::nullopt;
  };
  for (const auto& ack : parse_ack_events(payload)) {
    if (const auto id = mine(ack.id)) settle(c, id->n, PublishOutcome::acked, now);
  }
  if (const auto nack = parse_nack_id(payload)) {
    if (const auto id = mine(*nack)) settle(c, id->n, PublishOutcome::rejected, now);
  }
}

void MessagingRun::settle(std::uint32_t c, std::uint64_t n, PublishOutcome outcome, std::uint64_t now) {
  auto& d = *devices_[c];
  const auto first = d.outbox.ack(n);
  if (!first) return;
  if (outcome == PublishOutcome::rejected) {
    ++rejected_;
  } else {
    const auto latency = now > *first ? now - *first : 0;
    ack_.record(latency);
    windows_.acked(now, latency);
    if (!o_.latency_log.empty()) ack_log_.emplace_back(*first, now);
    last_ack_us_ = now;
    ++acked_;
  }
  ++settled_;
  // A place in the window: a held message goes now (open loop), or the device may send again.
  if (!d.held.empty() && d.client->connected()) {
    const auto due = d.held.front();
    d.held.pop_front();
    publish_new(d, due);
  } else if (closed_loop()) {
    make_ready(d);
  }
}

void MessagingRun::make_ready(Device& d) {
  if (d.ready || !d.sender) return;
  d.ready = true;
  ready_.push_back(&d);
}

// A new message, due at due_us (its latency counts from then); the window has room.
void MessagingRun::publish_new(Device& d, std::uint64_t due_us) {
  std::uint32_t dest = 0;
  if (!d.picker.pick(d.user, dest)) return;
  const auto n = d.next_n++;
  std::string topic = pop_.topic(dest, d.user);
  std::string payload = build_message(format_message_id(run_tag_, d.device, n), due_us, o_.payload_bytes);
  // Before the publish: a delivery may arrive before the next event is handled.
  undelivered_ += static_cast<std::int64_t>(tracker_.sent(d.client->index(), n, dest));
  d.outbox.add(n, topic, payload, due_us);
  if (d.client->publish(topic, payload, o_.qos, n) != kMqttOk) {
    d.outbox.mark_unsent(n);
    ++publish_failures_;
    retry_pending_ = true;
  }
}

void MessagingRun::resend(Device& d) {
  if (!d.client->connected()) return;
  for (const auto& p : d.outbox.take_unsent()) {
    if (d.client->publish(p.topic, p.payload, o_.qos, p.n) != kMqttOk) {
      d.outbox.mark_unsent(p.n);
      retry_pending_ = true;
    }
  }
}

// Closed loop: fill the windows of the devices acks have freed.
void MessagingRun::send_closed_loop() {
  std::vector<Device*> ready;
  ready.swap(ready_);
  for (auto* d : ready) {
    d->ready = false;
    while (issued_ < o_.messages || o_.duration_s > 0) {
      if (!d->client->connected() || !d->outbox.has_room()) break;
      if (delivery_cap_ > 0 && undelivered_ >= delivery_cap_) {
        make_ready(*d);   // again when deliveries come in
        break;
      }
      const auto now = now_us();
      ++issued_;
      windows_.sent(now);
      publish_new(*d, now);
    }
  }
}

// Open loop: every message due by now goes to its sender, or waits in its held queue.
std::uint64_t MessagingRun::send_on_schedule(std::uint64_t now) {
  const auto due = schedule_->due_by(now);
  while (scheduled_ < due && (o_.duration_s > 0 || scheduled_ < o_.messages)) {
    const auto at = schedule_->intended_us(scheduled_);
    auto& d = *devices_[sender_clients_[scheduled_ % sender_clients_.size()]];
    ++scheduled_;
    ++issued_;
    windows_.sent(at);
    if (d.held.empty() && d.outbox.has_room() && d.client->connected()) {
      publish_new(d, at);
    } else {
      d.held.push_back(at);
    }
  }
  return schedule_->wait_us(scheduled_, now_us());
}

bool MessagingRun::drain_done(std::uint64_t now) {
  const bool settled = settled_ >= issued_;
  const bool delivered = tracker_.firsts() >= tracker_.expected();
  if (settled && delivered) {
    drained_ = true;
    return true;
  }
  if (now >= drain_deadline_) return true;
  // Everything acked, deliveries missing and none arriving for a while: they are lost
  // (a plain broker drops what a clean session missed); no need to sit out the timeout.
  const auto quiet_us = static_cast<std::uint64_t>(std::min(o_.drain_timeout_s, 2.0) * 1e6);
  return settled && now > std::max(last_delivery_us_, send_end_) + quiet_us;
}

std::chrono::microseconds MessagingRun::tick() {
  if (done_) return std::chrono::milliseconds(100);
  const auto now = now_us();
  if (failed_.load()) {
    finish();
    return std::chrono::milliseconds(100);
  }
  // After a failed publish or a lost connection: the devices that are connected publish what
  // they had unacked and what was held meanwhile; the others when they are back.
  if (retry_pending_) {
    retry_pending_ = false;
    for (const auto c : sender_clients_) {
      auto& d = *devices_[c];
      if (!d.client->connected()) {
        retry_pending_ = retry_pending_ || d.outbox.unsent() > 0 || !d.held.empty();
        continue;
      }
      resend(d);
      while (!d.held.empty() && d.outbox.has_room()) {
        const auto due = d.held.front();
        d.held.pop_front();
        publish_new(d, due);
      }
      if (closed_loop()) make_ready(d);
    }
  }
  std::uint64_t wait_us = 100000;
  if (send_end_ == 0) {
    const bool over = o_.duration_s > 0 ? now >= t0_ + static_cast<std::uint64_t>(o_.duration_s * 1e6)
                                        : (closed_loop() ? issued_ >= o_.messages : scheduled_ >= o_.messages);
    if (over) {
      send_end_ = now;
      drain_deadline_ = now + static_cast<std::uint64_t>(o_.drain_timeout_s * 1e6);
      // For scripts that act between the send phase and the drain (scripts/bench-platform).
      std::cerr << "chat-loadgen: send phase over, " << issued_ << " messages sent\n" << std::flush;
    } else if (closed_loop()) {
      send_closed_loop();
      // A run whose windows never free up (acks lost for good) ends after --drain-timeout.
      if (issued_ != progress_mark_) {
        progress_mark_ = issued_;
        last_progress_us_ = now;
      } else if (now - last_progress_us_ > static_cast<std::uint64_t>(std::max(o_.drain_timeout_s, 1.0) * 1e6)) {
        stalled_ = true;
        send_end_ = now;
        drain_deadline_ = now;
      }
    } else {
      wait_us = send_on_schedule(now);
    }
  }
  if (send_end_ != 0 && drain_done(now_us())) finish();
  return std::chrono::microseconds(std::min<std::uint64_t>(wait_us, 100000));
}

void MessagingRun::finish() {
  std::lock_guard lock(done_mu_);
  done_ = true;
  done_cv_.notify_all();
}

void MessagingRun::disconnect_all() {
  for (auto& d : devices_) {
    if (d->client->connected()) (void)d->client->disconnect(1000);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < deadline &&
         std::any_of(devices_.begin(), devices_.end(), [](const auto& d) { return d->client->connected(); })) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));   // DISCONNECTs go out on the event loop
  }
}

// --latency-log: one line per ack and per delivery, "sent_ms latency_ms ack|delivery", by send time.
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

bool MessagingRun::measure(RunTotals& totals, WindowedStats& windows) {
  auto& loop = EventLoop::instance();
  const double cpu0 = self_cpu_seconds();
  loop.run_sync([&] {
    t0_ = now_us();
    last_progress_us_ = t0_;
    windows_ = WindowedStats(t0_, static_cast<std::uint64_t>(o_.window_s * 1e6));
    if (closed_loop()) {
      if (o_.qos == 0) delivery_cap_ = static_cast<std::int64_t>(sender_clients_.size()) * o_.inflight;
      for (const auto c : sender_clients_) make_ready(*devices_[c]);
    } else {
      schedule_ = std::make_unique<FixedRateSchedule>(o_.rate, t0_, o_.first_rate, o_.first_s);
    }
  });
  // For scripts and tests that act during the send phase (freeze the broker, thaw the bridge).
  std::cerr << "chat-loadgen: send phase begins\n" << std::flush;
  loop.set_tick([this] { return tick(); });
  {
    std::unique_lock lock(done_mu_);
    done_cv_.wait(lock, [&] { return done_; });
  }
  loop.set_tick({});
  const auto t_end = now_us();
  const double cpu1 = self_cpu_seconds();
  disconnect_all();
  if (failed_.load()) return false;

  loop.run_sync([&] {
    totals.t0_us = t0_;
    totals.send_end_us = send_end_;
    totals.end_us = t_end;
    totals.cpu_s = cpu1 - cpu0;
    totals.connect_s = connect_s_;
    totals.clients = pop_.clients();
    totals.issued = issued_;
    totals.rejected = rejected_;
    totals.publish_failures = publish_failures_;
    totals.reconnects = reconnects_;
    totals.foreign = foreign_;
    totals.drained = drained_ && !stalled_;
    std::vector<DeliveryTracker::Lost> lost;
    totals.counts = tracker_.reconcile(&lost);
    totals.last_delivery_us = last_delivery_us_;
    totals.e2e = e2e_;
    for (const auto& l : lost) {
      totals.lost_examples.push_back(pop_.client_id(l.sender) + " message " + std::to_string(l.n) + " for " +
                                     pop_.client_id(l.receiver));
    }
    totals.acked = acked_;
    totals.last_ack_us = last_ack_us_;
    totals.ack = ack_;
    for (auto& d : devices_) {
      totals.resends += d->outbox.resends();
      totals.unknown_acks += d->outbox.unknown_acks();
    }
    windows = windows_;
    if (!o_.latency_log.empty() && !write_latency_log(o_.latency_log, t0_, ack_log_, delivery_log_)) {
      std::cerr << "chat-loadgen: cannot write " << o_.latency_log << ": " << std::strerror(errno) << "\n";
    }
  });
  return true;
}

}  // namespace

std::uint64_t now_us() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000ULL + static_cast<std::uint64_t>(ts.tv_nsec) / 1000ULL;
}

int run_messaging(const Options& options, Report& report, const PlatformSetup* platform) {
  const Traffic traffic = traffic_of(options);
  MessagingRun run(options, traffic, platform);
  report.param("run", run.run_tag());
  describe_run(options, traffic, report);
  if (!run.connect()) {
    std::cerr << "chat-loadgen: " << run.failure() << "\n";
    return kExitFailed;
  }
  ProcessCpu cpu(options);
  RunTotals totals;
  WindowedStats windows(0, 1);
  const bool ok = run.measure(totals, windows);
  cpu.stop();
  if (!ok) {
    std::cerr << "chat-loadgen: " << run.failure() << "\n";
    return kExitFailed;
  }
  return fill_report(options, totals, windows, cpu, report);
}

}  // namespace chat::loadgen
