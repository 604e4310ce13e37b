// Device presence: devices.online per device, a user online while any of its
// devices is, users.last_seen when the last one goes.
#include "chat/storage/store.hpp"
#include "sql/presence_sql.hpp"

namespace chat::storage {

std::optional<PresenceChange> Store::set_device_state(UserId user, std::string_view device, bool online) {
  return connection_.transaction([&](Connection& tx) -> std::optional<PresenceChange> {
    if (!tx.execute(sql::kLockUserForPresence, user).at_most_one()) return std::nullopt;
    const Row row = tx.execute(sql::kSetDeviceState, user, device, online).one();
    PresenceChange change;
    change.user_id = user;
    change.was_online = row.boolean("was_online");
    change.online = row.boolean("online");
    change.last_seen_ms = row.optional_int64("last_seen_ms");
    return change;
  });
}

std::vector<PresenceChange> Store::clear_stale_devices(TimeMs connected_before_ms) {
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

}  // namespace chat::storage
