#include "chat/loadgen/tracker.hpp"

#include <algorithm>

namespace chat::loadgen {

bool DeliveryTracker::test(const std::vector<std::uint64_t>& bits, std::uint64_t n) {
  const auto word = static_cast<std::size_t>(n / 64);
  return word < bits.size() && ((bits[word] >> (n % 64)) & 1U) != 0;
}

std::size_t DeliveryTracker::sent(std::uint32_t sender, std::uint64_t n, std::uint32_t dest) {
  if (sender >= dest_.size()) dest_.resize(static_cast<std::size_t>(sender) + 1);
  auto& dests = dest_[sender];
  const auto idx = static_cast<std::size_t>(n);
  if (idx >= dests.size()) dests.resize(idx + 1, kNoDest);
  if (dests[idx] != kNoDest) return 0;
  dests[idx] = dest;
  ++messages_;
  const auto recipients = recipients_(dest);
  const auto count = static_cast<std::size_t>(
      std::count_if(recipients.begin(), recipients.end(), [&](std::uint32_t r) { return expects(r, sender); }));
  expected_ += count;
  return count;
}

Delivery DeliveryTracker::received(std::uint32_t receiver, std::uint32_t sender, std::uint64_t n) {
  if (sender >= dest_.size() || n >= dest_[sender].size() || dest_[sender][static_cast<std::size_t>(n)] == kNoDest) {
    ++unknown_;
    return Delivery::unknown;
  }
  auto& bits = seen_[pair_key(receiver, sender)];
  const auto word = static_cast<std::size_t>(n / 64);
  if (word >= bits.size()) bits.resize(std::max(word + 1, bits.size() * 2), 0);
  const std::uint64_t mask = std::uint64_t{1} << (n % 64);
  if ((bits[word] & mask) != 0) {
    ++duplicates_;
    return Delivery::duplicate;
  }
  bits[word] |= mask;
  ++firsts_;
  return Delivery::first;
}

DeliveryCounts DeliveryTracker::reconcile(std::vector<Lost>* lost_examples, std::size_t max_examples) const {
  DeliveryCounts out{.messages = messages_, .expected = expected_, .duplicates = duplicates_, .unknown = unknown_};
  static const std::vector<std::uint64_t> kEmpty;
  for (std::uint32_t sender = 0; sender < dest_.size(); ++sender) {
    const auto& dests = dest_[sender];
    // Group the sender's messages by receiver so each bitmap is looked up once.
    std::unordered_map<std::uint32_t, const std::vector<std::uint64_t>*> bitmaps;
    for (std::size_t n = 0; n < dests.size(); ++n) {
      if (dests[n] == kNoDest) continue;
      for (const auto receiver : recipients_(dests[n])) {
        if (!expects(receiver, sender)) continue;
        auto [it, inserted] = bitmaps.try_emplace(receiver, &kEmpty);
        if (inserted) {
          const auto found = seen_.find(pair_key(receiver, sender));
          if (found != seen_.end()) it->second = &found->second;
        }
        if (test(*it->second, n)) {
          ++out.delivered;
        } else {
          ++out.lost;
          if (lost_examples != nullptr && lost_examples->size() < max_examples) {
            lost_examples->push_back(Lost{sender, n, receiver});
          }
        }
      }
    }
  }
  // Every first delivery that matched no expectation went to a client that was no recipient.
  out.unexpected = firsts_ - out.delivered;
  return out;
}

}  // namespace chat::loadgen
