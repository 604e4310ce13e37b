#pragma once
// The records the stores read and writes. Ids are the protocol's positive
// 64-bit integers; times are milliseconds since the Unix epoch, as on the wire.
#include "chat/protocol/limits.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::storage {

using UserId = std::int64_t;
using ChatId = std::int64_t;
using Seq = std::int64_t;     // per chat, from 1, without gaps
using TimeMs = std::int64_t;  // milliseconds since the Unix epoch

// ---- users -----------------------------------------------------------------

struct User {
  UserId id = 0;
  std::string username;  // case-folded
  std::optional<std::string> phone;
  std::string display_name;
  bool disabled = false;
  TimeMs created_at_ms = 0;
  TimeMs updated_at_ms = 0;
  std::optional<TimeMs> last_seen_ms;
  // The password hash is deliberately not here: records travel far (admin
  // JSON, logs); credentials get their own call with the auth plugin.
};

struct NewUser {
  std::string username;                      // folded by the store; must then match ^[a-z0-9_.]{3,32}$
  std::optional<std::string> phone;          // E.164
  std::optional<std::string> password_hash;  // already hashed; never a password
  std::string display_name;
};

// Fields left empty are not changed.
struct UserPatch {
  std::optional<std::string> display_name;
  // Three states: nullopt keeps the phone, an empty inner optional clears it,
  // a value sets it.
  std::optional<std::optional<std::string>> phone;
  std::optional<bool> disabled;

  bool empty() const { return !display_name && !phone && !disabled; }
};

// ---- chats -----------------------------------------------------------------

enum class ChatKind { direct, group };
enum class MemberRole { owner, member };

struct Chat {
  ChatId id = 0;
  ChatKind kind = ChatKind::group;
  std::string title;               // empty for direct chats
  std::optional<UserId> owner_id;  // none for direct chats
  Seq last_seq = 0;                // seq of the newest message, 0 when there is none
  TimeMs created_at_ms = 0;
  TimeMs updated_at_ms = 0;  // metadata and membership changes, not messages
  std::optional<TimeMs> deleted_at_ms;

  bool deleted() const { return deleted_at_ms.has_value(); }
};

struct Member {
  ChatId chat_id = 0;
  UserId user_id = 0;
  MemberRole role = MemberRole::member;
  TimeMs joined_at_ms = 0;
  Seq delivered_seq = 0;
  Seq read_seq = 0;
};

// What add_member/remove_member did.
enum class MembershipChange {
  changed,           // added / removed
  unchanged,         // already a member / was not a member
  chat_unavailable,  // no such chat, deleted, or a direct chat (its two members are fixed)
  group_full,        // the group has kMaxGroupMembers (limits.hpp) already
  owner,             // the user owns the group: an owner is never removed by an operator
};

// ---- messages --------------------------------------------------------------

// The first four carry content; edit, deletion ("delete" on the wire) and
// reaction act on an earlier message of the chat (NewMessage::target).
enum class MessageType { text, image, voice, file, edit, deletion, reaction };
bool carries_content(MessageType type) noexcept;

struct NewMessage {
  ChatId chat_id = 0;
  UserId sender_id = 0;
  std::string client_msg_id;  // the sender's `id`, ^[A-Za-z0-9_-]{1,64}$
  MessageType type = MessageType::text;
  // The payload's fields other than id/type/ts ({"text":…, "media":{…}}), as a
  // JSON object. Stored as jsonb: read back equal as JSON, not byte for byte.
  std::string body = "{}";
  // What the store checks and applies, read from the body by the bridge:
  Seq reply_to = 0;       // any type: a seq of the same chat (0: none)
  Seq target = 0;         // edit, deletion, reaction: the seq acted on
  std::string edit_text;  // edit: the target's new text
  std::string emoji;      // reaction
  bool remove = false;    // reaction: take it back
};

// The rules of messages that act on messages that are settings.
struct ActionRules {
  TimeMs edit_window_ms = 48LL * 3600 * 1000;  // an author edits a text message this long after storing it
  // Distinct emoji one user keeps on one message at most (the contract's bound).
  std::size_t max_reactions_per_user = protocol::limits::kMaxReactionsPerUser;
};

enum class AppendStatus {
  stored,             // newly stored under `seq`
  duplicate,          // (sender, client_msg_id) was stored before: chat/seq/time are the original's
  chat_not_found,     // refused: no such chat
  chat_deleted,       // refused: the chat is deleted
  not_member,         // refused: the sender is not a member of the chat
  sender_deleted,     // refused: a direct chat whose sender's account was deleted
  recipient_deleted,  // refused: a direct chat whose other member's account was deleted
  // Refused actions (and replies): nothing of them is stored.
  target_not_found,     // target / reply_to names no message of the chat
  target_deleted,       // the target was deleted for everyone
  target_wrong_type,    // not a message of content (reply_to, reaction, delete) or not text (edit)
  not_author,           // edit by anyone but the author; delete by anyone but the author or a group's owner
  edit_window_expired,  // the target is older than the edit window
  too_many_reactions,   // a new emoji beyond the sender's max_reactions_per_user on the target
};

struct AppendResult {
  AppendStatus status = AppendStatus::stored;
  ChatId chat_id = 0;        // for a duplicate, the chat the original went to
  Seq seq = 0;               // 0 when refused
  TimeMs created_at_ms = 0;  // server time of the stored message; 0 when refused

  // Stored now or before: the sender gets an ack.
  bool accepted() const { return status == AppendStatus::stored || status == AppendStatus::duplicate; }
  bool duplicate() const { return status == AppendStatus::duplicate; }
};

struct StoredMessage {
  ChatId chat_id = 0;
  Seq seq = 0;
  UserId sender_id = 0;
  std::string client_msg_id;
  MessageType type = MessageType::text;
  std::string body;  // JSON object; "{}" once deleted (moderation or for everyone)
  TimeMs created_at_ms = 0;
  std::optional<TimeMs> deleted_at_ms;
  std::optional<TimeMs> edited_at_ms;  // the latest edit; body holds its text
  // {"👍": [uid, …], …} (uids ascending), or empty when there are none.
  std::string reactions;

  bool deleted() const { return deleted_at_ms.has_value(); }
};

// ---- names as stored in the database (and used on the wire) -----------------

std::string_view to_string(ChatKind kind) noexcept;
std::string_view to_string(MemberRole role) noexcept;
std::string_view to_string(MessageType type) noexcept;
std::string_view to_string(AppendStatus status) noexcept;

std::optional<ChatKind> parse_chat_kind(std::string_view text) noexcept;
std::optional<MemberRole> parse_member_role(std::string_view text) noexcept;
std::optional<MessageType> parse_message_type(std::string_view text) noexcept;

}  // namespace chat::storage
