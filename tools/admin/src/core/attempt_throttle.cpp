#include "chat/admin/attempt_throttle.hpp"

#include <algorithm>

namespace chat::admin {

AttemptThrottle::AttemptThrottle(Limit limit, std::size_t max_keys)
    : interval_(std::chrono::duration_cast<Clock::duration>(std::chrono::minutes(1)) / std::max(1, limit.per_minute)),
      tolerance_(interval_ * (std::max(1, limit.burst) - 1)),
      max_keys_(std::max<std::size_t>(1, max_keys)) {}

std::optional<std::chrono::seconds> AttemptThrottle::admit(std::string_view key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto found = spent_until_.find(std::string(key));
  if (found == spent_until_.end()) {
    if (spent_until_.size() >= max_keys_) forget_recovered(now);
    if (spent_until_.size() >= max_keys_) return std::chrono::seconds(1);
    found = spent_until_.emplace(std::string(key), now).first;
  }
  Clock::time_point& spent = found->second;
  const Clock::time_point from = std::max(spent, now);
  if (from - now > tolerance_) {
    const auto wait = std::chrono::ceil<std::chrono::seconds>(from - now - tolerance_);
    return std::max(wait, std::chrono::seconds(1));
  }
  spent = from + interval_;
  return std::nullopt;
}

std::size_t AttemptThrottle::keys() const {
  std::lock_guard lock(mutex_);
  return spent_until_.size();
}

void AttemptThrottle::forget_recovered(Clock::time_point now) {
  std::erase_if(spent_until_, [now](const auto& entry) { return entry.second <= now; });
}

}  // namespace chat::admin
