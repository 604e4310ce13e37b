#include "chat/bridge/request_records.hpp"

#include "chat/bridge/requests.hpp"
#include "chat/protocol/messages.hpp"
#include "chat/protocol/push.hpp"

namespace chat::bridge {

using nlohmann::json;
namespace field = protocol::field;

namespace {

// The server's fields over `record` (the body, or nothing).
json with_server_fields(json record, const storage::StoredMessage& message) {
  record["chat"] = message.chat_id;
  record["seq"] = message.seq;
  record["from"] = message.sender_id;
  record["id"] = message.client_msg_id;
  record["type"] = storage::to_string(message.type);
  record["ts"] = message.created_at_ms;
  // The state fields are the server's alone: a sender's own keys of these
  // names give way.
  record.erase(field::kEditedAt);
  record.erase(field::kDeleted);
  record.erase(field::kReactions);
  if (message.deleted()) {
    record[field::kDeleted] = true;
    return record;
  }
  if (message.edited_at_ms) record[field::kEditedAt] = *message.edited_at_ms;
  if (!message.reactions.empty()) {
    json reactions = json::parse(message.reactions, nullptr, /*allow_exceptions=*/false);
    if (reactions.is_object()) record[field::kReactions] = std::move(reactions);
  }
  return record;
}

}  // namespace

json message_record(const storage::StoredMessage& message) {
  json record = json::object();
  if (!message.deleted()) {
    // Stored by the bridge from a validated object; a body that is somehow not
    // one is withheld rather than breaking the answer.
    json body = json::parse(message.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_object()) record = std::move(body);
  }
  record = with_server_fields(std::move(record), message);
  if (json_size(record) <= request_limits::kMaxMessageRecordBytes) return record;
  json bare = with_server_fields(json::object(), message);
  bare["too_large"] = true;
  return bare;
}

json member_record(const storage::Member& member) {
  return json{{"uid", member.user_id},
              {"role", storage::to_string(member.role)},
              {"delivered_seq", member.delivered_seq},
              {"read_seq", member.read_seq}};
}

json chat_record(const storage::Chat& chat) {
  return json{{"id", chat.id},
              {"kind", storage::to_string(chat.kind)},
              {"title", chat.title},
              {"owner", chat.owner_id ? json(*chat.owner_id) : json(nullptr)},
              {"last_seq", chat.last_seq}};
}

json chat_record(const storage::Chat& chat, std::span<const storage::Member> members) {
  json record = chat_record(chat);
  json list = json::array();
  for (const auto& member : members) list.push_back(member_record(member));
  record["members"] = std::move(list);
  return record;
}

json user_chat_record(const storage::UserChat& chat) {
  json record = chat_record(chat.chat);
  record["role"] = storage::to_string(chat.role);
  record["delivered_seq"] = chat.delivered_seq;
  record["read_seq"] = chat.read_seq;
  record["unread"] = chat.unread();
  if (chat.peer_id) record["peer"] = *chat.peer_id;
  if (chat.muted_until_ms) record[protocol::push::kFieldMutedUntil] = *chat.muted_until_ms;
  return record;
}

json chat_event(std::string_view ev, json chat) { return json{{"ev", ev}, {"chat", std::move(chat)}}; }

json chat_muted_event(storage::ChatId chat, storage::TimeMs until_ms) {
  return json{{"ev", kChatMuted}, {"chat", chat}, {"until", until_ms}};
}

json presence_record(const storage::UserPresence& presence) {
  return json{{"uid", presence.user_id},
              {"online", presence.online},
              {"last_seen", presence.last_seen_ms ? json(*presence.last_seen_ms) : json(nullptr)}};
}

std::size_t json_size(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace).size(); }

}  // namespace chat::bridge
