#include "chat/bridge/backoff.hpp"

#include <algorithm>

namespace chat::bridge {

std::chrono::milliseconds backoff_ceiling(const BackoffPolicy& policy, int attempt) {
  const auto first = std::max<std::int64_t>(policy.first.count(), 1);
  const auto max = std::max<std::int64_t>(policy.max.count(), first);
  std::int64_t value = first;
  for (int i = 1; i < attempt && value < max; ++i) value *= 2;
  return std::chrono::milliseconds(std::min(value, max));
}

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, int attempt, double jitter) {
  const auto ceiling = backoff_ceiling(policy, attempt).count();
  const double j = std::clamp(jitter, 0.0, 1.0);
  const auto half = ceiling / 2;
  return std::chrono::milliseconds(half + static_cast<std::int64_t>(static_cast<double>(ceiling - half) * j));
}

std::chrono::milliseconds Backoff::next() {
  ++attempt_;
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  return backoff_delay(policy_, attempt_, jitter(random_));
}

}  // namespace chat::bridge
