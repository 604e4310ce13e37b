#include "chat/loadgen/windows.hpp"

#include <algorithm>

namespace chat::loadgen {

Window& WindowedStats::at(std::uint64_t t_us) {
  const std::size_t i = t_us > t0_us_ ? static_cast<std::size_t>((t_us - t0_us_) / window_us_) : 0;
  if (i >= windows_.size()) windows_.resize(i + 1);
  return windows_[i];
}

void WindowedStats::acked(std::uint64_t at_us, std::uint64_t latency_us) {
  auto& w = at(at_us);
  ++w.acked;
  w.ack.record(latency_us);
}

void WindowedStats::delivered(std::uint64_t at_us, std::uint64_t latency_us) {
  auto& w = at(at_us);
  ++w.delivered;
  w.e2e.record(latency_us);
}

double WindowedStats::seconds_of(std::size_t i, std::uint64_t end_us) const {
  const std::uint64_t start = t0_us_ + i * window_us_;
  const std::uint64_t stop = std::min(start + window_us_, std::max(end_us, start));
  return static_cast<double>(stop - start) / 1e6;
}

}  // namespace chat::loadgen
