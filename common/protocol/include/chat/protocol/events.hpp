#pragma once
// The names the contract puts in payloads (docs/protocol.md, sections 3 and 4):
// server events on u/{uid}/ev, the `error` codes of nacks and request answers,
// and the `detail` of the bridge's nacks.
#include <optional>
#include <string_view>

namespace chat::protocol {

// `ev` of the events on u/{uid}/ev.
namespace event {
inline constexpr std::string_view kAcks = "acks";  // {"ev":"acks","acks":[…]}
inline constexpr std::string_view kAck = "ack";    // the retired one-ack shape, still read by clients
inline constexpr std::string_view kNack = "nack";
inline constexpr std::string_view kChatAdded = "chat.added";
inline constexpr std::string_view kChatRemoved = "chat.removed";
inline constexpr std::string_view kChatDeleted = "chat.deleted";
inline constexpr std::string_view kChatUpdated = "chat.updated";
// {"ev":"chat.muted","chat":<id>,"until":<ms>} to the user who muted or
// unmuted (chat.mute), for its other devices; `until` 0 for an unmute.
inline constexpr std::string_view kChatMuted = "chat.muted";
}  // namespace event

// `error` of a nack (bad_request … rate_limited) and of a request's answer
// (bad_request … internal).
enum class ErrorCode { bad_request, forbidden, not_found, too_large, rate_limited, conflict, internal };
std::string_view to_string(ErrorCode code) noexcept;
std::optional<ErrorCode> parse_error_code(std::string_view text) noexcept;

// `detail` of the nacks the bridge sends for what the plugin cannot see.
namespace nack_detail {
inline constexpr std::string_view kUnknownRecipient = "unknown_recipient";  // not_found
inline constexpr std::string_view kChatNotFound = "chat_not_found";         // not_found
inline constexpr std::string_view kChatDeleted = "chat_deleted";            // not_found
inline constexpr std::string_view kNotMember = "not_member";                // forbidden
inline constexpr std::string_view kUnknownSender = "unknown_sender";        // forbidden
// Messages that act on messages (edit, delete, reaction) and replies.
inline constexpr std::string_view kTargetNotFound = "target_not_found";        // not_found: no such seq in the chat
inline constexpr std::string_view kTargetDeleted = "target_deleted";           // not_found: deleted for everyone
inline constexpr std::string_view kTargetWrongType = "target_wrong_type";      // bad_request: e.g. an edit of an image
inline constexpr std::string_view kNotAuthor = "not_author";                   // forbidden: edit/delete of another's
inline constexpr std::string_view kEditWindowExpired = "edit_window_expired";  // forbidden: too late to edit
inline constexpr std::string_view kNotOneEmoji = "not_one_emoji";              // bad_request: emoji not one grapheme
inline constexpr std::string_view kTooManyReactions = "too_many_reactions";    // forbidden: the per-user cap reached
}  // namespace nack_detail

}  // namespace chat::protocol
