#include "chat/storage/types.hpp"

namespace chat::storage {

std::string_view to_string(ChatKind kind) noexcept {
  switch (kind) {
    case ChatKind::direct:
      return "direct";
    case ChatKind::group:
      return "group";
  }
  return "group";
}

std::string_view to_string(MemberRole role) noexcept {
  switch (role) {
    case MemberRole::owner:
      return "owner";
    case MemberRole::member:
      return "member";
  }
  return "member";
}

std::string_view to_string(MessageType type) noexcept {
  switch (type) {
    case MessageType::text:
      return "text";
    case MessageType::image:
      return "image";
    case MessageType::voice:
      return "voice";
    case MessageType::file:
      return "file";
    case MessageType::edit:
      return "edit";
    case MessageType::deletion:
      return "delete";
    case MessageType::reaction:
      return "reaction";
  }
  return "text";
}

bool carries_content(MessageType type) noexcept {
  return type == MessageType::text || type == MessageType::image || type == MessageType::voice ||
         type == MessageType::file;
}

std::string_view to_string(AppendStatus status) noexcept {
  switch (status) {
    case AppendStatus::stored:
      return "stored";
    case AppendStatus::duplicate:
      return "duplicate";
    case AppendStatus::chat_not_found:
      return "chat_not_found";
    case AppendStatus::chat_deleted:
      return "chat_deleted";
    case AppendStatus::not_member:
      return "not_member";
    case AppendStatus::sender_deleted:
      return "sender_deleted";
    case AppendStatus::recipient_deleted:
      return "recipient_deleted";
    case AppendStatus::target_not_found:
      return "target_not_found";
    case AppendStatus::target_deleted:
      return "target_deleted";
    case AppendStatus::target_wrong_type:
      return "target_wrong_type";
    case AppendStatus::not_author:
      return "not_author";
    case AppendStatus::edit_window_expired:
      return "edit_window_expired";
    case AppendStatus::too_many_reactions:
      return "too_many_reactions";
  }
  return "stored";
}

std::optional<ChatKind> parse_chat_kind(std::string_view text) noexcept {
  if (text == "direct") return ChatKind::direct;
  if (text == "group") return ChatKind::group;
  return std::nullopt;
}

std::optional<MemberRole> parse_member_role(std::string_view text) noexcept {
  if (text == "owner") return MemberRole::owner;
  if (text == "member") return MemberRole::member;
  return std::nullopt;
}

std::optional<MessageType> parse_message_type(std::string_view text) noexcept {
  if (text == "text") return MessageType::text;
  if (text == "image") return MessageType::image;
  if (text == "voice") return MessageType::voice;
  if (text == "file") return MessageType::file;
  if (text == "edit") return MessageType::edit;
  if (text == "delete") return MessageType::deletion;
  if (text == "reaction") return MessageType::reaction;
  return std::nullopt;
}

}  // namespace chat::storage
