// Push devices and per-chat mutes: what the notifier needs to reach phones
// through a Matrix push gateway (docs/bridge.md, "Notifications").
#include "chat/storage/delivery.hpp"
#include "chat/storage/constraints.hpp"
#include "sql/push_sql.hpp"

#include <string>

namespace chat::storage {

namespace {

// Two registrations of one pushkey by two users at the same moment: each
// removed the other's row before it existed, and one insert meets the other's
// key. Running the registration again removes the row that won.
constexpr int kRegistrationAttempts = 3;

}  // namespace

PushRegistrationResult DeliveryStore::register_push_device(const PushRegistration& r, int max_devices) {
  for (int attempt = 1;; ++attempt) {
    try {
      return connection_.transaction([&](Connection& tx) {
        if (!tx.execute(sql::kLockUserForPush, r.user_id).at_most_one()) {
          return PushRegistrationResult{PushRegistrationStatus::user_not_found, 0};
        }
        if (tx.execute(sql::kCountOtherPushDevices, r.user_id, r.device).one().int64("n") >= max_devices) {
          return PushRegistrationResult{PushRegistrationStatus::too_many_devices, 0};
        }
        tx.execute(sql::kReleasePushkey, r.app_id, r.pushkey, r.user_id, r.device);
        const auto row = tx.execute(sql::kUpsertPushDevice, r.user_id, r.device, r.app_id, r.kind, r.pushkey, r.data);
        return PushRegistrationResult{PushRegistrationStatus::ok, row.one().int64("pushkey_ts_ms")};
      });
    } catch (const DbError& error) {
      if (error.code() != DbErrc::unique_violation || error.constraint() != constraint::pushkey_taken ||
          attempt == kRegistrationAttempts) {
        throw;
      }
    }
  }
}

bool DeliveryStore::unregister_push_device(UserId user, std::string_view device) {
  return connection_.execute(sql::kDeletePushDevice, user, device).affected_rows() > 0;
}

std::vector<PushDevice> DeliveryStore::push_devices_of(std::span<const UserId> users) {
  std::vector<PushDevice> devices;
  if (users.empty()) return devices;
  for (const Row row : connection_.execute(sql::kPushDevicesOf, Param::int64_array(users))) {
    PushDevice d;
    d.user_id = row.int64("user_id");
    d.device = row.text("device_id");
    d.app_id = row.text("app_id");
    d.kind = row.text("kind");
    d.pushkey = row.text("pushkey");
    d.data = row.text("data");
    d.pushkey_ts_ms = row.int64("pushkey_ts_ms");
    devices.push_back(std::move(d));
  }
  return devices;
}

std::int64_t DeliveryStore::remove_rejected_pushkeys(UserId user, std::span<const std::string> pushkeys) {
  if (pushkeys.empty()) return 0;
  return connection_.execute(sql::kDeleteRejectedPushkeys, user, Param::text_array(pushkeys)).affected_rows();
}

MuteStatus DeliveryStore::mute_chat(UserId user, ChatId chat, std::optional<TimeMs> until_ms) {
  const auto row = connection_.execute(sql::kMuteChat, user, chat, until_ms).one();
  if (!row.boolean("chat_exists")) return MuteStatus::chat_not_found;
  if (row.boolean("deleted")) return MuteStatus::chat_deleted;
  if (!row.boolean("member")) return MuteStatus::not_member;
  return MuteStatus::ok;
}

}  // namespace chat::storage
