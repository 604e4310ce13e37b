#pragma once
// Records of the bridge's message path (ChatStore::resolve_direct_chats,
// DeliveryStore): direct chats resolved from topics, receipt cursors, device presence and the
// notification outbox.
#include "chat/storage/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chat::storage {

// ---- direct chats ------------------------------------------------------------

// `dm/{to}/msg/{from}` names a direct chat by its two users.
struct UserPair {
  UserId from = 0;
  UserId to = 0;
};

struct DirectChatRef {
  std::optional<ChatId> chat_id;  // nullopt when a user does not exist (or from == to)
  bool from_exists = false;
  bool to_exists = false;
};

// ---- receipts ------------------------------------------------------------------

enum class ReceiptKind { delivered, read };

// A message named by its sender and the sender's client id.
struct MessageRef {
  UserId sender_id = 0;
  std::string client_msg_id;
};

// One receipt: `reader` has received (or read) messages of a chat up to `seq`
// and/or up to the newest of `refs`. A group's receipt names its chat; a
// direct chat's names the other user (chat_id 0, peer_id set).
struct ReceiptUpdate {
  ChatId chat_id = 0;
  UserId peer_id = 0;
  UserId reader_id = 0;
  ReceiptKind kind = ReceiptKind::delivered;
  Seq seq = 0;  // 0: none given
  std::vector<MessageRef> refs;
};

// A member's cursors after a receipt moved at least one of them.
struct CursorChange {
  ChatId chat_id = 0;
  UserId user_id = 0;
  Seq delivered_seq = 0;
  Seq read_seq = 0;
};

// ---- presence --------------------------------------------------------------------

// A device's state as reported on st/{uid}/{device}.
struct DeviceState {
  UserId user_id = 0;
  std::string device;
  bool online = false;
};

// A user's presence before and after a device's state changed.
struct PresenceChange {
  UserId user_id = 0;
  bool was_online = false;
  bool online = false;
  std::optional<TimeMs> last_seen_ms;  // users.last_seen after the change

  bool changed() const { return was_online != online; }
};

// ---- notifications -----------------------------------------------------------------

// A claimed outbox row with what the webhook payload needs.
struct PendingNotification {
  std::int64_t id = 0;
  UserId recipient_id = 0;
  ChatId chat_id = 0;
  Seq seq = 0;
  int attempts = 0;  // including this one
  UserId sender_id = 0;
  std::string sender_name;  // display name, may be empty
  ChatKind chat_kind = ChatKind::direct;
  std::string chat_title;  // empty for direct chats
  MessageType type = MessageType::text;
  std::string body;  // the message's JSON body ("{}" once deleted by moderation)
  TimeMs created_at_ms = 0;
  std::int64_t badge = 0;     // unread messages over all the recipient's chats
  bool already_read = false;  // the recipient's read cursor passed seq meanwhile
  bool muted = false;         // the recipient muted the chat (chat.mute) until a time still ahead
  // A message people are told of (text, image, voice, file); edits, deletions
  // and reactions are not pushed (as Matrix's default push rules do).
  bool content_message = true;
};

// ---- push devices ------------------------------------------------------------------

// A device's registration with a push service, as device.register gives it.
struct PushRegistration {
  UserId user_id = 0;
  std::string device;
  std::string app_id;
  std::string kind;     // fcm | apns | webpush
  std::string pushkey;  // the push service's token
  std::string data;     // a JSON object, passed to the push gateway
};

enum class PushRegistrationStatus { ok, user_not_found, too_many_devices };

struct PushRegistrationResult {
  PushRegistrationStatus status = PushRegistrationStatus::ok;
  TimeMs pushkey_ts_ms = 0;  // when ok
};

// A stored registration, as the notifier sends it to the gateway.
struct PushDevice {
  UserId user_id = 0;
  std::string device;
  std::string app_id;
  std::string kind;
  std::string pushkey;
  std::string data;  // JSON object text
  TimeMs pushkey_ts_ms = 0;
};

enum class MuteStatus { ok, chat_not_found, chat_deleted, not_member };

}  // namespace chat::storage
