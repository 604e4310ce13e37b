// What a finished messaging run measured: the totals the report is made of,
// and the --latency-log file.
#include "messaging_run.hpp"

#include "chat/loadgen/cpu.hpp"
#include "event_loop.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <tuple>

namespace chat::loadgen {
namespace {

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

}  // namespace

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
    totals.publish_ack = publish_ack_;
    totals.outbox_wait = outbox_wait_;
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

}  // namespace chat::loadgen
