#pragma once
// The traffic shapes of plain and platform runs (--shape), as a population,
// its senders and how they choose destinations. The same function serves the
// plain broker and the platform, so both sides of a ratio carry the same traffic.
//   pairs:  P sender -> recipient direct-message pairs (2P users, the first P send)
//   crowd:  N users (default 2000), one device each, 70 % direct messages to anyone and
//           30 % to the sender's group; groups of 5-50 members covering every user
//   fanout: one sender, one group of M members (default 200), every message to the group
//   custom: --users, --devices, --groups, --group-size, --group-share, --senders as given
#include "chat/loadgen/options.hpp"
#include "chat/loadgen/population.hpp"

#include <cstdint>
#include <vector>

namespace chat::loadgen {

struct Traffic {
  PopulationShape population;
  std::uint32_t senders = 0;  // the first `senders` users send
  double group_share = 0;
  bool paired = false;  // DestinationPicker's pairs
};

Traffic traffic_of(const Options& options);

// Sizes in [5, 50] (uniform, deterministic for the seed) until their sum covers `users`; the
// last one is cut so the sum is exactly `users` (at least 5 when users >= 5).
std::vector<std::uint32_t> crowd_group_sizes(std::uint32_t users, std::uint64_t seed);

}  // namespace chat::loadgen
