#pragma once
// Figures per time window (10 s by default) of a run, besides the overall
// ones: how many messages were due to be sent (by their intended time), acked
// and delivered (by when that happened), and the latency of the acks and
// deliveries that happened in the window. An overload shows as windows whose
// acked rate stays below the offered rate and whose latency grows; recovery
// as the first window whose latency is back to normal.
//
// Each ack has two latencies (outbox.hpp): intended -> ack, what a user sees
// (it includes the wait in the sender's outbox), and publish -> ack, what the
// broker (and bridge and database) add once the message is handed over. In an
// overload the excess should wait at the senders: the first grows with their
// backlog while the second stays bounded.
#include "chat/loadgen/histogram.hpp"

#include <cstdint>
#include <vector>

namespace chat::loadgen {

struct Window {
  std::uint64_t sent = 0;  // messages whose intended send time falls in the window
  std::uint64_t acked = 0;
  std::uint64_t delivered = 0;  // distinct first deliveries
  Histogram ack;                // µs, intended send -> ack of the acks in the window
  Histogram publish_ack;        // µs, publish -> ack of the same acks
  Histogram outbox_wait;        // µs, intended send -> publish of the same acks
  Histogram e2e;                // µs, sender -> recipient of the deliveries in the window
};

class WindowedStats {
 public:
  // t0_us: the start of window 0; window_us > 0.
  WindowedStats(std::uint64_t t0_us, std::uint64_t window_us) : t0_us_(t0_us), window_us_(window_us) {}

  void sent(std::uint64_t intended_us) { at(intended_us).sent += 1; }
  void acked(std::uint64_t at_us, std::uint64_t intended_us, std::uint64_t published_us);
  void delivered(std::uint64_t at_us, std::uint64_t latency_us);

  std::uint64_t window_us() const { return window_us_; }
  // Window i spans [t0 + i * window, t0 + (i + 1) * window); empty windows in between are kept.
  const std::vector<Window>& windows() const { return windows_; }
  // Seconds covered by window i when the run ended at end_us (the last one may be partial).
  double seconds_of(std::size_t i, std::uint64_t end_us) const;
  // Messages due by the end of window i and not acked by then: the senders' backlog (held
  // for a place in a window) plus what is in flight. Rejected messages count as unacked.
  std::uint64_t unacked_at_end(std::size_t i) const;

 private:
  Window& at(std::uint64_t t_us);
  std::uint64_t t0_us_;
  std::uint64_t window_us_;
  std::vector<Window> windows_;
};

}  // namespace chat::loadgen
