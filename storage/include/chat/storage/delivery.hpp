#pragma once
// Delivery: receipt cursors, device presence, and the notification outbox
// (the bridge's side after a message is stored).
#include "chat/storage/connection.hpp"
#include "chat/storage/delivery_types.hpp"
#include "chat/storage/request_types.hpp"
#include "chat/storage/types.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace chat::storage {

class DeliveryStore {
 public:
  explicit DeliveryStore(Connection& connection) noexcept : connection_(connection) {}

  // Moves members' delivered/read cursors forward only (greatest()), never past
  // the chat's last_seq; read implies delivered. Refs resolve through the
  // client ids and count only within the receipt's chat; unknown chats,
  // non-members and unknown refs change nothing. Returns the cursors that moved.
  std::vector<CursorChange> apply_receipts(std::span<const ReceiptUpdate> receipts);

  // Records a device online/offline (devices.online, last_connect_at) and says
  // whether its user was and is online; users.last_seen is set when the user's
  // last online device goes offline. nullopt for an unknown user.
  std::optional<PresenceChange> set_device_state(UserId user, std::string_view device, bool online);
  // The same for many devices in one transaction (users locked in id order);
  // one answer per state, in the order given. A user's devices are applied in
  // the order given, so a later state of the same user sees the earlier ones.
  std::vector<std::optional<PresenceChange>> set_device_states(std::span<const DeviceState> states);
  // Marks offline every device recorded online before `connected_before_ms`
  // (left stale by a crash); returns the users that are offline now, whose
  // last_seen became at least that time.
  std::vector<PresenceChange> clear_stale_devices(TimeMs connected_before_ms);
  // Presence of the users that exist among `users`, by id.
  std::vector<UserPresence> presence_of(std::span<const UserId> users);

  // Claims up to `limit` due notification jobs for `lease` (counting the
  // attempt); a job not finished or rescheduled by then is claimed again.
  std::vector<PendingNotification> claim_notifications(int limit, std::chrono::milliseconds lease);
  void finish_notifications(std::span<const std::int64_t> ids);  // sent: deleted
  void reschedule_notification(std::int64_t id, std::chrono::milliseconds delay, std::string_view error);
  std::int64_t notification_backlog();  // jobs in the outbox

  // Push devices (push_devices.cpp). Registers or replaces the user's device's
  // registration (pushkey_ts = now); the same (app_id, pushkey) registered by
  // another device or user before is removed. A user has at most
  // `max_devices` registrations: a new device beyond them is refused.
  PushRegistrationResult register_push_device(const PushRegistration& registration, int max_devices);
  bool unregister_push_device(UserId user, std::string_view device);  // false: none was registered
  // The registrations of these users, by user then device.
  std::vector<PushDevice> push_devices_of(std::span<const UserId> users);
  // The push gateway rejected these pushkeys of `user`: their registrations
  // go. Returns how many did. Only the user's own: a gateway's answer about
  // one notification cannot remove another user's devices.
  std::int64_t remove_rejected_pushkeys(UserId user, std::span<const std::string> pushkeys);
  // No push for `chat` to `user` until `until_ms` (nullopt: unmuted).
  MuteStatus mute_chat(UserId user, ChatId chat, std::optional<TimeMs> until_ms);

 private:
  Connection& connection_;
};

}  // namespace chat::storage
