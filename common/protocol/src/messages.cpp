#include "chat/protocol/messages.hpp"

#include <array>

namespace chat::protocol {
namespace {

constexpr std::array kKinds{MessageKind::text, MessageKind::image,    MessageKind::voice,   MessageKind::file,
                            MessageKind::edit, MessageKind::deletion, MessageKind::reaction};

}  // namespace

std::string_view to_string(MessageKind kind) noexcept {
  switch (kind) {
    case MessageKind::text:
      return "text";
    case MessageKind::image:
      return "image";
    case MessageKind::voice:
      return "voice";
    case MessageKind::file:
      return "file";
    case MessageKind::edit:
      return "edit";
    case MessageKind::deletion:
      return "delete";
    case MessageKind::reaction:
      return "reaction";
  }
  return "text";
}

std::optional<MessageKind> parse_message_kind(std::string_view text) noexcept {
  for (const MessageKind kind : kKinds) {
    if (to_string(kind) == text) return kind;
  }
  return std::nullopt;
}

}  // namespace chat::protocol
