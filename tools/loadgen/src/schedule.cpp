#include "chat/loadgen/schedule.hpp"

#include <cmath>

namespace chat::loadgen {

FixedRateSchedule::FixedRateSchedule(double rate, std::uint64_t t0_us, double first_rate, double first_s)
    : rate_(rate),
      t0_us_(t0_us),
      first_rate_(first_rate > 0 && first_s > 0 ? first_rate : 0),
      first_us_(first_rate_ > 0 ? static_cast<std::uint64_t>(std::llround(first_s * 1e6)) : 0),
      first_count_(first_rate_ > 0 ? static_cast<std::uint64_t>(std::ceil(first_rate * first_s)) : 0) {}

std::uint64_t FixedRateSchedule::intended_us(std::uint64_t k) const {
  const auto at = [](std::uint64_t i, double rate) {
    return static_cast<std::uint64_t>(std::llround(static_cast<double>(i) * 1e6 / rate));
  };
  if (k < first_count_) return t0_us_ + at(k, first_rate_);
  return t0_us_ + first_us_ + at(k - first_count_, rate_);
}

std::uint64_t FixedRateSchedule::due_by(std::uint64_t now_us) const {
  if (now_us < t0_us_) return 0;
  const auto elapsed = static_cast<double>(now_us - t0_us_);
  const double estimate =
      elapsed < static_cast<double>(first_us_)
          ? elapsed * first_rate_ / 1e6
          : static_cast<double>(first_count_) + (elapsed - static_cast<double>(first_us_)) * rate_ / 1e6;
  auto k = static_cast<std::uint64_t>(std::floor(estimate)) + 1;
  // Rounding at the edges: the answer must agree with intended_us.
  while (k > 0 && intended_us(k - 1) > now_us) --k;
  while (intended_us(k) <= now_us) ++k;
  return k;
}

std::uint64_t FixedRateSchedule::wait_us(std::uint64_t k, std::uint64_t now_us) const {
  const auto due = intended_us(k);
  return due > now_us ? due - now_us : 0;
}

}  // namespace chat::loadgen
