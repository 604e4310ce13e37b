#include "chat/loadgen/population.hpp"

#include "chat/loadgen/message.hpp"
#include "chat/protocol/topics.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace chat::loadgen {

Population::Population(PopulationShape shape) : shape_(std::move(shape)) {
  if (shape_.users == 0) throw std::invalid_argument("there must be at least one user");
  if (shape_.devices == 0) throw std::invalid_argument("a user has at least one device");
  if (static_cast<std::uint64_t>(shape_.users) * shape_.devices > (std::uint64_t{1} << 20)) {
    throw std::invalid_argument("at most 2^20 clients (users x devices)");
  }
  if (shape_.uid_base == 0 || shape_.chat_base == 0) throw std::invalid_argument("ids are positive");
  if (shape_.group_sizes.empty()) shape_.group_sizes.assign(shape_.groups, shape_.group_size);
  shape_.groups = static_cast<std::uint32_t>(shape_.group_sizes.size());
  for (const auto size : shape_.group_sizes) {
    if (size == 0 || size > shape_.users)
      throw std::invalid_argument("group size must be between 1 and the number of users");
  }
  members_.resize(shape_.groups);
  groups_of_.resize(shape_.users);
  std::uint64_t start = 0;
  for (std::uint32_t g = 0; g < shape_.groups; ++g, start += shape_.group_sizes[g - 1]) {
    for (std::uint32_t j = 0; j < shape_.group_sizes[g]; ++j) {
      const auto user = static_cast<std::uint32_t>((start + j) % shape_.users);
      members_[g].push_back(user);
      groups_of_[user].push_back(g);
    }
    std::sort(members_[g].begin(), members_[g].end());
  }
  recipients_.resize(destinations());
  for (std::uint32_t u = 0; u < shape_.users; ++u) {
    for (std::uint32_t d = 0; d < shape_.devices; ++d) recipients_[u].push_back(client(u, d));
  }
  for (std::uint32_t g = 0; g < shape_.groups; ++g) {
    auto& r = recipients_[group_dest(g)];
    for (const auto user : members_[g]) {
      for (std::uint32_t d = 0; d < shape_.devices; ++d) r.push_back(client(user, d));
    }
  }
}

std::string Population::client_id(std::uint32_t c) const {
  return std::to_string(uid(user_of(c))) + ":d" + std::to_string(device_of(c));
}

bool Population::user_index(std::uint64_t id, std::uint32_t& user) const {
  if (id < shape_.uid_base || id - shape_.uid_base >= shape_.users) return false;
  user = static_cast<std::uint32_t>(id - shape_.uid_base);
  return true;
}

bool Population::group_index(std::uint64_t chat, std::uint32_t& group) const {
  if (chat < shape_.chat_base || chat - shape_.chat_base >= shape_.groups) return false;
  group = static_cast<std::uint32_t>(chat - shape_.chat_base);
  return true;
}

std::span<const std::uint32_t> Population::recipients(std::uint32_t dest) const { return recipients_.at(dest); }

std::string Population::topic(std::uint32_t dest, std::uint32_t from_user) const {
  if (is_group(dest)) return group_msg_topic(chat_id(dest - shape_.users), uid(from_user));
  return dm_msg_topic(uid(dest), uid(from_user));
}

std::vector<std::string> Population::subscriptions(std::uint32_t c) const {
  const auto user = user_of(c);
  std::vector<std::string> out{protocol::direct_inbox_filter(static_cast<protocol::Id>(uid(user)))};
  for (const auto g : groups_of_[user]) out.push_back(protocol::group_filter(static_cast<protocol::Id>(chat_id(g))));
  return out;
}

DestinationPicker::DestinationPicker(const Population& population, double group_share, std::uint64_t seed, bool paired)
    : population_(population), group_share_(group_share), paired_(paired), rng_(seed) {}

bool DestinationPicker::pick(std::uint32_t from_user, std::uint32_t& dest) {
  if (paired_) {
    const auto half = population_.users() / 2;
    if (half == 0 || from_user >= half) return false;
    dest = population_.direct_to(from_user + half);
    return true;
  }
  const auto& groups = population_.groups_of(from_user);
  const bool can_dm = population_.users() > 1;
  bool to_group = !groups.empty() && (!can_dm || std::uniform_real_distribution<double>(0, 1)(rng_) < group_share_);
  if (to_group) {
    const auto i = std::uniform_int_distribution<std::size_t>(0, groups.size() - 1)(rng_);
    dest = population_.group_dest(groups[i]);
    return true;
  }
  if (!can_dm) return false;
  // Another user, uniformly: draw from users-1 and skip over the sender.
  auto other = std::uniform_int_distribution<std::uint32_t>(0, population_.users() - 2)(rng_);
  if (other >= from_user) ++other;
  dest = population_.direct_to(other);
  return true;
}

}  // namespace chat::loadgen
