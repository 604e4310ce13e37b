#pragma once
// A token bucket: `rate` tokens per second, at most `burst` saved up. Starts
// full. Time is passed in (nanoseconds of a monotonic clock), so it is pure.
#include <algorithm>
#include <cstdint>

namespace chat::auth {

class TokenBucket {
 public:
  TokenBucket(double rate_per_s, double burst, std::int64_t now_ns) noexcept
      : rate_per_ns_(rate_per_s / 1e9), burst_(burst), tokens_(burst), last_ns_(now_ns), last_take_ns_(now_ns) {}

  // Takes `amount` tokens (one by default) when there are that many.
  bool try_take(std::int64_t now_ns, double amount = 1.0) noexcept {
    refill(now_ns);
    last_take_ns_ = now_ns;
    if (tokens_ < amount) return false;
    tokens_ -= amount;
    return true;
  }

  // Whether try_take(now_ns, amount) would succeed; takes nothing, so that a
  // caller paying from two buckets spends from neither unless both can pay.
  bool has(std::int64_t now_ns, double amount = 1.0) const noexcept { return refilled(now_ns) >= amount; }

  // Full and not asked for `idle_ns`: forgetting it changes nothing.
  bool idle(std::int64_t now_ns, std::int64_t idle_ns) const noexcept {
    return refilled(now_ns) >= burst_ && now_ns - last_take_ns_ >= idle_ns;
  }

 private:
  double refilled(std::int64_t now_ns) const noexcept {
    return now_ns > last_ns_ ? tokens_ + static_cast<double>(now_ns - last_ns_) * rate_per_ns_ : tokens_;
  }
  void refill(std::int64_t now_ns) noexcept {
    if (now_ns > last_ns_) {
      tokens_ = std::min(burst_, tokens_ + static_cast<double>(now_ns - last_ns_) * rate_per_ns_);
      last_ns_ = now_ns;
    }
  }

  double rate_per_ns_;
  double burst_;
  double tokens_;
  std::int64_t last_ns_;
  std::int64_t last_take_ns_;
};

}  // namespace chat::auth
