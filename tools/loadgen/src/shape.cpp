#include "chat/loadgen/shape.hpp"

#include <algorithm>
#include <random>

namespace chat::loadgen {

std::vector<std::uint32_t> crowd_group_sizes(std::uint32_t users, std::uint64_t seed) {
  constexpr std::uint32_t kMin = 5;
  constexpr std::uint32_t kMax = 50;
  std::mt19937_64 rng(seed);
  std::vector<std::uint32_t> sizes;
  std::uint32_t covered = 0;
  while (covered < users) {
    auto size = std::uniform_int_distribution<std::uint32_t>(kMin, kMax)(rng);
    size = std::min(size, users - covered);
    // A short tail joins the previous group rather than forming one below the minimum.
    if (size < kMin && !sizes.empty() && sizes.back() + size <= kMax) {
      sizes.back() += size;
    } else {
      sizes.push_back(size);
    }
    covered += size;
  }
  return sizes;
}

Traffic traffic_of(const Options& o) {
  Traffic t;
  t.population = PopulationShape{.users = o.users,
                                 .devices = o.devices,
                                 .groups = o.groups,
                                 .group_size = o.group_size,
                                 .group_sizes = {},
                                 .uid_base = o.uid_base,
                                 .chat_base = o.chat_base};
  t.senders = o.senders == 0 ? o.users : o.senders;
  t.group_share = o.group_share;
  const bool fanout = o.shape == Shape::fanout || o.mode == Mode::fanout;
  if (o.shape == Shape::pairs) {
    t.population.users = 2 * o.pairs;
    t.population.groups = 0;
    t.population.group_size = 0;
    t.senders = o.pairs;
    t.group_share = 0;
    t.paired = true;
  } else if (o.shape == Shape::crowd) {
    t.population.devices = 1;
    t.population.group_sizes = crowd_group_sizes(o.users, o.seed);
    t.population.groups = static_cast<std::uint32_t>(t.population.group_sizes.size());
    t.senders = o.users;
    t.group_share = 0.3;
  } else if (fanout) {
    const std::uint32_t m = o.group_size > 0 ? o.group_size : (o.shape == Shape::fanout ? 200 : o.users);
    t.population.users = m;
    t.population.groups = 1;
    t.population.group_size = m;
    t.senders = 1;
    t.group_share = 1.0;
  }
  return t;
}

}  // namespace chat::loadgen
