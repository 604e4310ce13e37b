#include "chat/bridge/payloads.hpp"

#include "bounded_json.hpp"
#include "chat/protocol/events.hpp"
#include "chat/protocol/identifiers.hpp"
#include "chat/protocol/limits.hpp"
#include "chat/protocol/messages.hpp"
#include "chat/unicode/grapheme.hpp"

#include <nlohmann/json.hpp>

#include <cctype>

namespace chat::bridge {
namespace {

using nlohmann::json;
using protocol::ErrorCode;
using protocol::to_string;
namespace nack_detail = protocol::nack_detail;

// True when a string anywhere in the value (keys included) holds a NUL.
bool has_nul(const json& value) {
  if (value.is_string()) return value.get_ref<const std::string&>().find('\0') != std::string::npos;
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (key.find('\0') != std::string::npos || has_nul(item)) return true;
    }
    return false;
  }
  if (value.is_array()) {
    for (const auto& item : value) {
      if (has_nul(item)) return true;
    }
  }
  return false;
}

PayloadError bad(std::string detail, std::optional<std::string> id = std::nullopt) {
  return PayloadError{std::string(to_string(ErrorCode::bad_request)), std::move(detail), std::move(id)};
}

std::optional<json> parse_json(std::string_view text) { return parse_bounded_json(text); }

}  // namespace

std::variant<MessagePayload, PayloadError> parse_message_payload(std::string_view payload, std::size_t max_bytes) {
  if (payload.size() > max_bytes) {
    return PayloadError{std::string(to_string(ErrorCode::too_large)),
                        "payload of " + std::to_string(payload.size()) + " bytes", std::nullopt};
  }
  auto parsed = parse_json(payload);
  if (!parsed || !parsed->is_object()) return bad("not a JSON object");
  json& object = *parsed;

  std::optional<std::string> id;
  if (const auto it = object.find("id");
      it != object.end() && it->is_string() && protocol::is_valid_message_id(it->get_ref<const std::string&>())) {
    id = it->get<std::string>();
  }
  if (!id) return bad("missing or malformed id");

  const auto type_it = object.find("type");
  if (type_it == object.end() || !type_it->is_string()) return bad("missing type", id);
  const auto type = storage::parse_message_type(type_it->get_ref<const std::string&>());
  if (!type) return bad("unknown type", id);

  namespace field = protocol::field;
  MessagePayload message;
  const auto text = object.find(field::kText);
  if (text != object.end() && !text->is_string()) return bad("text must be a string", id);
  const auto media = object.find(field::kMedia);
  if (media != object.end() && !media->is_object()) return bad("media must be an object", id);
  const auto positive_id = [&](std::string_view name, std::int64_t& out) {
    const auto it = object.find(name);
    if (it == object.end()) return true;
    if (!it->is_number_integer() || it->get<std::int64_t>() <= 0) return false;
    out = it->get<std::int64_t>();
    return true;
  };
  if (!positive_id(field::kReplyTo, message.reply_to)) return bad("reply_to must be a seq (an integer > 0)", id);
  const bool action = !storage::carries_content(*type);
  if (action) {
    if (!positive_id(field::kTarget, message.target) || message.target == 0) {
      return bad("target must be a seq (an integer > 0)", id);
    }
    if (media != object.end()) return bad("media belongs to image, voice and file messages", id);
  }
  switch (*type) {
    case storage::MessageType::text:
      if (text == object.end()) return bad("a text message needs text", id);
      break;
    case storage::MessageType::edit:
      if (text == object.end()) return bad("an edit needs text", id);
      message.edit_text = text->get<std::string>();
      break;
    case storage::MessageType::reaction: {
      const auto emoji = object.find(field::kEmoji);
      if (emoji == object.end() || !emoji->is_string()) return bad("a reaction needs an emoji (a string)", id);
      const auto& emoji_text = emoji->get_ref<const std::string&>();
      if (emoji_text.empty() || emoji_text.size() > protocol::limits::kMaxEmojiBytes) {
        return bad("emoji must be 1 to 32 bytes", id);
      }
      if (!unicode::is_one_grapheme(emoji_text)) return bad(std::string(nack_detail::kNotOneEmoji), id);
      if (const auto remove = object.find(field::kRemove); remove != object.end()) {
        if (!remove->is_boolean()) return bad("remove must be a boolean", id);
        message.remove = remove->get<bool>();
      }
      message.emoji = emoji_text;
      break;
    }
    case storage::MessageType::deletion:
      break;
    default:  // image, voice, file
      if (media == object.end()) return bad("a media message needs media", id);
      break;
  }
  if (has_nul(object)) return bad("NUL characters are not allowed", id);

  object.erase(field::kId);
  object.erase(field::kType);
  object.erase(field::kTs);
  message.id = std::move(*id);
  message.type = *type;
  message.body = object.dump();
  return message;
}

std::optional<ReceiptPayload> parse_receipt_payload(std::string_view payload) {
  const auto parsed = parse_json(payload);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  const json& object = *parsed;
  ReceiptPayload receipt;
  const auto type = object.find("type");
  if (type == object.end() || !type->is_string()) return std::nullopt;
  if (*type == "delivered") {
    receipt.kind = storage::ReceiptKind::delivered;
  } else if (*type == "read") {
    receipt.kind = storage::ReceiptKind::read;
  } else {
    return std::nullopt;
  }
  if (const auto seq = object.find("seq"); seq != object.end()) {
    if (!seq->is_number_integer() || seq->get<std::int64_t>() <= 0) return std::nullopt;
    receipt.seq = seq->get<std::int64_t>();
  }
  if (const auto refs = object.find("refs"); refs != object.end()) {
    if (!refs->is_array() || refs->size() > protocol::limits::kMaxReceiptRefs) return std::nullopt;
    for (const json& ref : *refs) {
      if (!ref.is_object()) return std::nullopt;
      ReceiptRef r;
      const auto id = ref.find("id");
      if (id == ref.end() || !id->is_string() || !protocol::is_valid_message_id(id->get_ref<const std::string&>())) {
        return std::nullopt;
      }
      r.id = id->get<std::string>();
      if (const auto from = ref.find("from"); from != ref.end()) {
        if (!from->is_number_integer() || from->get<std::int64_t>() <= 0) return std::nullopt;
        r.from = from->get<std::int64_t>();
      }
      receipt.refs.push_back(std::move(r));
    }
  }
  if (receipt.seq == 0 && receipt.refs.empty()) return std::nullopt;
  return receipt;
}

std::optional<bool> parse_device_state(std::string_view payload) {
  while (!payload.empty() && std::isspace(static_cast<unsigned char>(payload.back()))) payload.remove_suffix(1);
  while (!payload.empty() && std::isspace(static_cast<unsigned char>(payload.front()))) payload.remove_prefix(1);
  if (payload == "online") return true;
  if (payload == "offline") return false;
  const auto parsed = parse_json(payload);
  if (!parsed) return std::nullopt;
  if (parsed->is_string()) {
    if (*parsed == "online") return true;
    if (*parsed == "offline") return false;
    return std::nullopt;
  }
  if (parsed->is_object()) {
    if (const auto state = parsed->find("state"); state != parsed->end() && state->is_string()) {
      if (*state == "online") return true;
      if (*state == "offline") return false;
    }
    if (const auto online = parsed->find("online"); online != parsed->end() && online->is_boolean()) {
      return online->get<bool>();
    }
  }
  return std::nullopt;
}

std::string nack_event(std::string_view id, std::string_view topic, std::string_view error, std::string_view detail) {
  return R"({"ev":")" + std::string(protocol::event::kNack) + R"(","id":)" + json(std::string(id)).dump() +
         R"(,"topic":)" + json(std::string(topic)).dump() + R"(,"error":)" + json(std::string(error)).dump() +
         R"(,"detail":)" + json(std::string(detail)).dump() + "}";
}

std::string presence_payload(bool online, std::optional<std::int64_t> last_seen_ms) {
  if (online) return R"({"online":true})";
  if (!last_seen_ms) return R"({"online":false})";
  return R"({"online":false,"last_seen":)" + std::to_string(*last_seen_ms) + "}";
}

Reply reply_for(const storage::AppendResult& result) {
  const auto nack = [](ErrorCode error, std::string_view detail) {
    return Reply{false, std::string(to_string(error)), std::string(detail)};
  };
  switch (result.status) {
    case storage::AppendStatus::stored:
    case storage::AppendStatus::duplicate:
      return {true, {}, {}};
    case storage::AppendStatus::chat_not_found:
      return nack(ErrorCode::not_found, nack_detail::kChatNotFound);
    case storage::AppendStatus::chat_deleted:
      return nack(ErrorCode::not_found, nack_detail::kChatDeleted);
    case storage::AppendStatus::not_member:
      return nack(ErrorCode::forbidden, nack_detail::kNotMember);
    case storage::AppendStatus::sender_deleted:
      return nack(ErrorCode::forbidden, nack_detail::kUnknownSender);
    case storage::AppendStatus::recipient_deleted:
      return nack(ErrorCode::not_found, nack_detail::kUnknownRecipient);
    case storage::AppendStatus::target_not_found:
      return nack(ErrorCode::not_found, nack_detail::kTargetNotFound);
    case storage::AppendStatus::target_deleted:
      return nack(ErrorCode::not_found, nack_detail::kTargetDeleted);
    case storage::AppendStatus::target_wrong_type:
      return nack(ErrorCode::bad_request, nack_detail::kTargetWrongType);
    case storage::AppendStatus::not_author:
      return nack(ErrorCode::forbidden, nack_detail::kNotAuthor);
    case storage::AppendStatus::edit_window_expired:
      return nack(ErrorCode::forbidden, nack_detail::kEditWindowExpired);
    case storage::AppendStatus::too_many_reactions:
      return nack(ErrorCode::forbidden, nack_detail::kTooManyReactions);
  }
  return nack(ErrorCode::internal, "unknown status");
}

std::optional<std::int64_t> parse_uptime_seconds(std::string_view payload) {
  std::size_t i = 0;
  std::int64_t value = 0;
  while (i < payload.size() && payload[i] >= '0' && payload[i] <= '9') {
    if (value > INT64_MAX / 10 - 10) return std::nullopt;
    value = value * 10 + (payload[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  return value;
}

std::int64_t stale_cutoff_ms(std::int64_t received_ms, std::int64_t uptime_s, bool retained) {
  constexpr std::int64_t kResolutionMs = 2000;
  constexpr std::int64_t kSysIntervalMs = 10000;  // mosquitto's default sys_interval
  return received_ms - uptime_s * 1000 - kResolutionMs - (retained ? kSysIntervalMs : 0);
}

}  // namespace chat::bridge
