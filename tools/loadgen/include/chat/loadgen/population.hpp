#pragma once
// Who the simulated users are, which devices they have, which groups they
// belong to, and who must receive each message: the traffic shape, with no
// MQTT in it.
//
// Users are numbered 0..N-1 (uid = uid_base + index); each has D devices
// (client index = user * D + device, client id `{uid}:d{device}`). Group g
// (chat id chat_base + g) has M members: users (g * M + j) mod N, j < M, so
// groups spread evenly over the users. A destination is either a user (a
// direct message to all its devices) or a group (all devices of all members,
// the sender's own devices included: they subscribe to the group's topic too).
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace chat::loadgen {

struct PopulationShape {
  std::uint32_t users = 2;
  std::uint32_t devices = 1;
  std::uint32_t groups = 0;
  std::uint32_t group_size = 0;
  // When not empty: groups of these sizes instead (groups and group_size are ignored), each
  // group's members the users after the previous group's (mod N).
  std::vector<std::uint32_t> group_sizes;
  std::uint64_t uid_base = 1000;
  std::uint64_t chat_base = 1;
};

class Population {
 public:
  // Throws std::invalid_argument for an impossible shape (no users, a group larger than the
  // population, more than 2^20 clients).
  explicit Population(PopulationShape shape);

  const PopulationShape& shape() const { return shape_; }
  std::uint32_t users() const { return shape_.users; }
  std::uint32_t devices() const { return shape_.devices; }
  std::uint32_t groups() const { return static_cast<std::uint32_t>(members_.size()); }
  std::uint32_t clients() const { return shape_.users * shape_.devices; }

  std::uint64_t uid(std::uint32_t user) const { return shape_.uid_base + user; }
  std::uint64_t chat_id(std::uint32_t group) const { return shape_.chat_base + group; }
  std::uint32_t user_of(std::uint32_t client) const { return client / shape_.devices; }
  std::uint32_t device_of(std::uint32_t client) const { return client % shape_.devices; }
  std::uint32_t client(std::uint32_t user, std::uint32_t device) const { return user * shape_.devices + device; }
  std::string client_id(std::uint32_t client) const;

  // Reverse lookups from wire ids; false when the id is not one of ours.
  bool user_index(std::uint64_t uid, std::uint32_t& user) const;
  bool group_index(std::uint64_t chat, std::uint32_t& group) const;

  const std::vector<std::uint32_t>& members(std::uint32_t group) const { return members_[group]; }
  const std::vector<std::uint32_t>& groups_of(std::uint32_t user) const { return groups_of_[user]; }

  // Destinations: [0, users) direct to that user, [users, users + groups) a group.
  std::uint32_t destinations() const { return shape_.users + shape_.groups; }
  std::uint32_t direct_to(std::uint32_t user) const { return user; }
  std::uint32_t group_dest(std::uint32_t group) const { return shape_.users + group; }
  bool is_group(std::uint32_t dest) const { return dest >= shape_.users; }

  // The clients that must receive a message to `dest`, sorted.
  std::span<const std::uint32_t> recipients(std::uint32_t dest) const;
  // The topic a user publishes to for `dest`.
  std::string topic(std::uint32_t dest, std::uint32_t from_user) const;
  // The subscription filters of one client: dm/{self}/# and g/{chat}/# per group.
  std::vector<std::string> subscriptions(std::uint32_t client) const;

 private:
  PopulationShape shape_;
  std::vector<std::vector<std::uint32_t>> members_;
  std::vector<std::vector<std::uint32_t>> groups_of_;
  std::vector<std::vector<std::uint32_t>> recipients_;  // per destination
};

// Chooses each message's destination. Paired: user u of the first half writes only to user
// u + N/2 (hot pairs). Otherwise: with probability `group_share` one of the
// sender's groups (when it has any), otherwise a direct message to another user
// chosen uniformly (or a group when the sender is alone). Deterministic for a seed.
class DestinationPicker {
 public:
  DestinationPicker(const Population& population, double group_share, std::uint64_t seed, bool paired = false);
  // nullopt-like: returns false when the user can send nowhere (alone, no group).
  bool pick(std::uint32_t from_user, std::uint32_t& dest);

 private:
  const Population& population_;
  double group_share_;
  bool paired_;
  std::mt19937_64 rng_;
};

}  // namespace chat::loadgen
