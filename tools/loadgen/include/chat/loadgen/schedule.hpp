#pragma once
// The open-loop (fixed-rate) send schedule: message k of the run is due at a
// time set by the rate alone, whatever came back so far. Latency is measured
// from that intended time, so a send held up by a slow system (a full window,
// a busy loop) is counted as latency instead of silently lowering the offered
// rate (no coordinated omission).
//
// The rate may change once: `first_rate` for the first `first_s` seconds (an
// overload, say), then `rate` for good.
#include <cstdint>

namespace chat::loadgen {

class FixedRateSchedule {
 public:
  // rate: messages per second over all senders (> 0); t0_us: when message 0 is due.
  // first_rate > 0 and first_s > 0: that rate during [t0, t0 + first_s) instead.
  FixedRateSchedule(double rate, std::uint64_t t0_us, double first_rate = 0, double first_s = 0);

  // When message k is due, in microseconds (the clock of t0).
  std::uint64_t intended_us(std::uint64_t k) const;
  // How many messages are due at `now_us` (message k is due when intended_us(k) <= now).
  std::uint64_t due_by(std::uint64_t now_us) const;
  // Microseconds from `now_us` until message k is due (0 when it is already due).
  std::uint64_t wait_us(std::uint64_t k, std::uint64_t now_us) const;

 private:
  double rate_;
  std::uint64_t t0_us_;
  double first_rate_;
  std::uint64_t first_us_;     // length of the first phase
  std::uint64_t first_count_;  // messages due in it
};

}  // namespace chat::loadgen
