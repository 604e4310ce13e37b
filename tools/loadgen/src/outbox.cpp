#include "chat/loadgen/outbox.hpp"

namespace chat::loadgen {

bool Outbox::add(std::uint64_t n, std::string topic, std::string payload, std::uint64_t intended_us,
                 std::uint64_t published_us) {
  if (!has_room()) return false;
  const auto [it, inserted] = pending_.try_emplace(n);
  if (!inserted) return false;
  it->second = Pending{.n = n,
                       .topic = std::move(topic),
                       .payload = std::move(payload),
                       .times = SendTimes{.intended_us = intended_us, .published_us = published_us},
                       .attempts = 1,
                       .in_flight = true};
  return true;
}

std::optional<SendTimes> Outbox::ack(std::uint64_t n) {
  const auto it = pending_.find(n);
  if (it == pending_.end()) {
    ++unknown_acks_;
    return std::nullopt;
  }
  const auto times = it->second.times;
  if (!it->second.in_flight) --unsent_;
  pending_.erase(it);
  return times;
}

void Outbox::mark_unsent(std::uint64_t n) {
  const auto it = pending_.find(n);
  if (it == pending_.end() || !it->second.in_flight) return;
  it->second.in_flight = false;
  ++unsent_;
}

void Outbox::connection_lost() {
  for (auto& [n, p] : pending_) {
    if (p.in_flight) {
      p.in_flight = false;
      ++unsent_;
    }
  }
}

std::vector<Pending> Outbox::take_unsent() {
  std::vector<Pending> out;
  if (unsent_ == 0) return out;
  out.reserve(static_cast<std::size_t>(unsent_));
  for (auto& [n, p] : pending_) {
    if (p.in_flight) continue;
    p.in_flight = true;
    ++p.attempts;
    ++resends_;
    out.push_back(p);
  }
  unsent_ = 0;
  return out;
}

}  // namespace chat::loadgen
