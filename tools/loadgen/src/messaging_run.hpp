#pragma once
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
//
// messaging_run.cpp: connecting, the listener callbacks and the driver;
// messaging_totals.cpp: what a finished run measured (RunTotals, --latency-log);
// messaging.cpp: run_messaging, the entry point.
#include "chat/loadgen/histogram.hpp"
#include "chat/loadgen/message.hpp"
#include "chat/loadgen/outbox.hpp"
#include "chat/loadgen/population.hpp"
#include "chat/loadgen/schedule.hpp"
#include "chat/loadgen/shape.hpp"
#include "chat/loadgen/tracker.hpp"
#include "chat/loadgen/windows.hpp"
#include "event_loop.hpp"
#include "mqtt_client.hpp"
#include "run_report.hpp"
#include "scenarios.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>

namespace chat::loadgen {

struct Device {
  Device(std::uint32_t window, const Population& pop, double group_share, std::uint64_t seed, bool paired)
      : picker(pop, group_share, seed, paired), outbox(window) {}
  std::unique_ptr<MqttClient> client;
  std::uint32_t user = 0;
  std::uint32_t device = 0;
  bool sender = false;
  bool ready = false;  // queued in the driver's ready list
  std::vector<std::string> filters;
  DestinationPicker picker;
  Outbox outbox;
  std::uint64_t next_n = 0;
  std::deque<std::uint64_t> held;  // open loop: due times of messages waiting for room in the window
};

using TimedEvents = std::vector<std::pair<std::uint64_t, std::uint64_t>>;  // (sent, happened) µs

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
      devices_[c]->client->resubscribe_later(devices_[c]->filters, o_.qos, o_.no_local);  // see there
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
  Histogram publish_ack_;
  Histogram outbox_wait_;
  WindowedStats windows_;
  TimedEvents delivery_log_;  // --latency-log
  TimedEvents ack_log_;
  std::string run_tag_;
  std::uint64_t t0_ = 0;
  std::uint64_t send_end_ = 0;
  std::uint64_t drain_deadline_ = 0;
  std::uint64_t last_delivery_us_ = 0;
  std::uint64_t last_ack_us_ = 0;
  std::uint64_t issued_ = 0;  // messages due (first sends, held ones included)
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
  bool retry_pending_ = false;  // unsent or held messages wait for a connection
  bool drained_ = false;
  std::vector<Device*> ready_;  // closed loop: devices whose window may have room
  std::unique_ptr<FixedRateSchedule> schedule_;
  std::uint64_t scheduled_ = 0;  // open loop: messages whose due time has come
  double connect_s_ = 0;

  std::atomic<std::uint32_t> subscribed_{0};
  std::vector<std::uint32_t> subscribe_retries_;  // loop thread: per client
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::mutex fail_mu_;
  std::string failure_;
  std::atomic<bool> failed_{false};
};

}  // namespace chat::loadgen
