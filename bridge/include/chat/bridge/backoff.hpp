#pragma once
// Capped exponential backoff: first, 2*first, 4*first ... up to max, each
// drawn from the upper half of its step (jitter, so retriers that failed
// together do not retry together).
#include <chrono>
#include <cstdint>
#include <random>

namespace chat::bridge {

struct BackoffPolicy {
  std::chrono::milliseconds first{100};
  std::chrono::milliseconds max{5000};
};

// The ceiling of attempt n (1-based): first * 2^(n-1), at most max.
std::chrono::milliseconds backoff_ceiling(const BackoffPolicy& policy, int attempt);

// The delay before retry n for a jitter value in [0, 1]: between half the
// ceiling and the ceiling.
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int attempt, double jitter);

// Counts attempts and draws the jitter; not thread-safe.
class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy, std::uint64_t seed = std::random_device{}())
      : policy_(policy), random_(seed) {}
  std::chrono::milliseconds next();  // the delay before the next attempt
  void reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  BackoffPolicy policy_;
  std::mt19937_64 random_;
  int attempt_ = 0;
};

}  // namespace chat::bridge
