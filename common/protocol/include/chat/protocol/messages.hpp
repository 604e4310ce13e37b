#pragma once
// What a message payload holds (docs/protocol.md, sections 3 and "Conversation
// features"): its types and the names of its fields, as the plugin, the bridge
// and storage read and write them.
#include <cstddef>
#include <optional>
#include <string_view>

namespace chat::protocol {

// `type` of a message. The first four carry content; the others act on an
// earlier message of the same chat, named by `target`.
enum class MessageKind : unsigned char { text, image, voice, file, edit, deletion, reaction };
std::string_view to_string(MessageKind kind) noexcept;  // "delete" for MessageKind::deletion
std::optional<MessageKind> parse_message_kind(std::string_view text) noexcept;
inline constexpr bool carries_content(MessageKind kind) noexcept {
  return kind == MessageKind::text || kind == MessageKind::image || kind == MessageKind::voice ||
         kind == MessageKind::file;
}
inline constexpr bool is_media(MessageKind kind) noexcept {
  return kind == MessageKind::image || kind == MessageKind::voice || kind == MessageKind::file;
}

// Field names of a message payload and of a message record.
namespace field {
inline constexpr std::string_view kId = "id";
inline constexpr std::string_view kType = "type";
inline constexpr std::string_view kTs = "ts";
inline constexpr std::string_view kText = "text";
inline constexpr std::string_view kMedia = "media";
inline constexpr std::string_view kReplyTo = "reply_to";  // any message: a seq of the same chat
inline constexpr std::string_view kTarget = "target";     // edit, delete, reaction: the seq acted on
inline constexpr std::string_view kEmoji = "emoji";       // reaction
inline constexpr std::string_view kRemove = "remove";     // reaction: true takes it back
// Set by the server in history and sync records.
inline constexpr std::string_view kEditedAt = "edited_at";
inline constexpr std::string_view kDeleted = "deleted";
inline constexpr std::string_view kReactions = "reactions";
}  // namespace field

}  // namespace chat::protocol
