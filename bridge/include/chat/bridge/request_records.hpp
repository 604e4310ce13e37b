#pragma once
// The records of requests' results and of the events they cause, as the
// contract writes them (docs/protocol.md section 4):
//   message {"chat","seq","from","id","type","text","media",…,"ts"} or, once
//           moderated, {"chat","seq","from","id","type","ts","deleted":true}
//   chat    {"id","kind","title","owner","last_seq"[,"members":[…]]}
//   member  {"uid","role","delivered_seq","read_seq"}
#include "chat/protocol/events.hpp"
#include "chat/storage/request_types.hpp"
#include "chat/storage/types.hpp"

#include <nlohmann/json.hpp>

#include <span>
#include <string_view>

namespace chat::bridge {

// The stored body's fields (text, media and whatever else the sender put
// there) with the server's fields over them.
nlohmann::json message_record(const storage::StoredMessage& message);

nlohmann::json member_record(const storage::Member& member);

// Without "members" (chat.list entries, removed/deleted events, sync).
nlohmann::json chat_record(const storage::Chat& chat);
nlohmann::json chat_record(const storage::Chat& chat, std::span<const storage::Member> members);

// A chat.list entry: the chat record with the caller's role, cursors and
// unread count, and "peer" for a direct chat.
nlohmann::json user_chat_record(const storage::UserChat& chat);

// {"ev":"chat.added"|…,"chat":<record>}
using protocol::event::kChatAdded;
using protocol::event::kChatDeleted;
using protocol::event::kChatRemoved;
using protocol::event::kChatUpdated;
nlohmann::json chat_event(std::string_view ev, nlohmann::json chat);

// {"ev":"chat.muted","chat":<id>,"until":<ms>}: chat.mute's answer as an
// event, `until` as asked (0 for an unmute).
using protocol::event::kChatMuted;
nlohmann::json chat_muted_event(storage::ChatId chat, storage::TimeMs until_ms);

// {"uid","online","last_seen"}; last_seen null when never seen.
nlohmann::json presence_record(const storage::UserPresence& presence);

// Serialized size, for keeping an answer under the broker's size limit.
std::size_t json_size(const nlohmann::json& value);

}  // namespace chat::bridge
