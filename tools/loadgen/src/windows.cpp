#include "chat/loadgen/windows.hpp"

#include <algorithm>

namespace chat::loadgen {

Window& WindowedStats::at(std::uint64_t t_us) {
  const std::size_t i = t_us > t0_us_ ? static_cast<std::size_t>((t_us - t0_us_) / window_us_) : 0;
  if (i >= windows_.size()) windows_.resize(i + 1);
  return windows_[i];
}

void WindowedStats::acked(std::uint64_t at_us, std::uint64_t intended_us, std::uint64_t published_us) {
  const auto since = [at_us](std::uint64_t t) { return at_us > t ? at_us - t : 0; };
  auto& w = at(at_us);
  ++w.acked;
  w.ack.record(since(intended_us));
  w.publish_ack.record(since(published_us));
  w.outbox_wait.record(published_us > intended_us ? published_us - intended_us : 0);
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

std::uint64_t WindowedStats::unacked_at_end(std::size_t i) const {
  std::uint64_t due = 0;
  std::uint64_t acked = 0;
  for (std::size_t j = 0; j <= i && j < windows_.size(); ++j) {
    due += windows_[j].sent;
    acked += windows_[j].acked;
  }
  return due > acked ? due - acked : 0;
}

}  // namespace chat::loadgen
