#include "record_readers.hpp"

#include "chat/storage/errors.hpp"

#include <optional>
#include <string>

namespace chat::storage::detail {
namespace {

// The schema's CHECKs admit only known names; anything else means the schema
// and this code disagree.
template <class Enum>
Enum parse_or_throw(std::optional<Enum> (*parse)(std::string_view) noexcept, const Row& row, std::string_view column) {
  const std::string text = row.text(column);
  if (const auto value = parse(text)) return *value;
  throw DbError(DbErrc::internal, "unknown value \"" + text + "\" in column \"" + std::string(column) + "\"");
}

}  // namespace

User read_user(const Row& row) {
  User user;
  user.id = row.int64("id");
  user.username = row.text("username");
  user.phone = row.optional_text("phone");
  user.display_name = row.text("display_name");
  user.disabled = row.boolean("disabled");
  user.created_at_ms = row.int64("created_at_ms");
  user.updated_at_ms = row.int64("updated_at_ms");
  user.last_seen_ms = row.optional_int64("last_seen_ms");
  return user;
}

Chat read_chat(const Row& row) {
  Chat chat;
  chat.id = row.int64("id");
  chat.kind = parse_or_throw(parse_chat_kind, row, "kind");
  chat.title = row.text("title");
  chat.owner_id = row.optional_int64("owner_id");
  chat.last_seq = row.int64("last_seq");
  chat.created_at_ms = row.int64("created_at_ms");
  chat.updated_at_ms = row.int64("updated_at_ms");
  chat.deleted_at_ms = row.optional_int64("deleted_at_ms");
  return chat;
}

Member read_member(const Row& row) {
  Member member;
  member.chat_id = row.int64("chat_id");
  member.user_id = row.int64("user_id");
  member.role = parse_or_throw(parse_member_role, row, "role");
  member.joined_at_ms = row.int64("joined_at_ms");
  member.delivered_seq = row.int64("delivered_seq");
  member.read_seq = row.int64("read_seq");
  return member;
}

StoredMessage read_stored_message(const Row& row) {
  StoredMessage message;
  message.chat_id = row.int64("chat_id");
  message.seq = row.int64("seq");
  message.sender_id = row.int64("sender_id");
  message.client_msg_id = row.text("client_msg_id");
  message.type = parse_or_throw(parse_message_type, row, "type");
  message.body = row.text("body");
  message.created_at_ms = row.int64("created_at_ms");
  message.deleted_at_ms = row.optional_int64("deleted_at_ms");
  message.edited_at_ms = row.optional_int64("edited_at_ms");
  message.reactions = row.optional_text("reactions").value_or(std::string());
  return message;
}

}  // namespace chat::storage::detail
