// Device presence: devices.online per device, a user online while any of its
// devices is, users.last_seen when the last one goes.
#include "chat/storage/delivery.hpp"
#include "sql/presence_sql.hpp"
#include "sql/requests_sql.hpp"

#include <algorithm>
#include <set>

namespace chat::storage {

namespace {

PresenceChange change_from(UserId user, const Row& row) {
  PresenceChange change;
  change.user_id = user;
  change.was_online = row.boolean("was_online");
  change.online = row.boolean("online");
  change.last_seen_ms = row.optional_int64("last_seen_ms");
  return change;
}

std::vector<UserId> sorted_unique(std::span<const UserId> ids) {
  std::vector<UserId> out(ids.begin(), ids.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

std::optional<PresenceChange> DeliveryStore::set_device_state(UserId user, std::string_view device, bool online) {
  return connection_.transaction([&](Connection& tx) -> std::optional<PresenceChange> {
    if (!tx.execute(sql::kLockUserForPresence, user).at_most_one()) return std::nullopt;
    return change_from(user, tx.execute(sql::kSetDeviceState, user, device, online).one());
  });
}

std::vector<std::optional<PresenceChange>> DeliveryStore::set_device_states(std::span<const DeviceState> states) {
  // Users locked in id order, as every transaction that locks several users
  // does, so two of them cannot deadlock; then each state in the order given.
  std::vector<UserId> users;
  users.reserve(states.size());
  for (const DeviceState& state : states) users.push_back(state.user_id);
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  return connection_.transaction([&](Connection& tx) {
    std::set<UserId> known;
    for (const UserId user : users) {
      if (tx.execute(sql::kLockUserForPresence, user).at_most_one()) known.insert(user);
    }
    std::vector<std::optional<PresenceChange>> changes;
    changes.reserve(states.size());
    for (const DeviceState& state : states) {
      if (!known.contains(state.user_id)) {
        changes.emplace_back(std::nullopt);
        continue;
      }
      changes.emplace_back(change_from(
          state.user_id, tx.execute(sql::kSetDeviceState, state.user_id, state.device, state.online).one()));
    }
    return changes;
  });
}

std::vector<PresenceChange> DeliveryStore::clear_stale_devices(TimeMs connected_before_ms) {
  return connection_.transaction([&](Connection& tx) {
    tx.execute(sql::kLockUsersWithStaleDevices, connected_before_ms);
    std::vector<PresenceChange> changes;
    for (const Row row : tx.execute(sql::kClearStaleDevices, connected_before_ms)) {
      PresenceChange change;
      change.user_id = row.int64("id");
      change.was_online = true;
      change.online = false;
      change.last_seen_ms = row.optional_int64("last_seen_ms");
      changes.push_back(change);
    }
    return changes;
  });
}

std::vector<UserPresence> DeliveryStore::presence_of(std::span<const UserId> users) {
  std::vector<UserPresence> presence;
  for (const Row row : connection_.execute(sql::kPresenceOf, Param::int64_array(sorted_unique(users)))) {
    presence.push_back(UserPresence{row.int64("id"), row.boolean("online"), row.optional_int64("last_seen_ms")});
  }
  return presence;
}

}  // namespace chat::storage
