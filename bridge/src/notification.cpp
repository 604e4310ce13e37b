#include "chat/bridge/notification.hpp"

#include "bounded_json.hpp"
#include "chat/protocol/push.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace chat::bridge {
namespace {

// Byte length of the first `max_chars` UTF-8 code points of `text` (which the
// JSON parser has validated).
std::size_t prefix_bytes(std::string_view text, std::size_t max_chars, bool& cut) {
  std::size_t bytes = 0;
  std::size_t chars = 0;
  while (bytes < text.size() && chars < max_chars) {
    const auto lead = static_cast<unsigned char>(text[bytes]);
    std::size_t len = 1;
    if (lead >= 0xF0) {
      len = 4;
    } else if (lead >= 0xE0) {
      len = 3;
    } else if (lead >= 0xC0) {
      len = 2;
    }
    bytes = std::min(text.size(), bytes + len);
    ++chars;
  }
  cut = bytes < text.size();
  return bytes;
}

// Matrix's msgtype for each message type (Sygnal's APNs alerts tell an image
// from the rest by it).
std::string_view matrix_msgtype(storage::MessageType type) {
  switch (type) {
    case storage::MessageType::text:
      return "m.text";
    case storage::MessageType::image:
      return "m.image";
    case storage::MessageType::voice:
      return "m.audio";
    case storage::MessageType::file:
      return "m.file";
    case storage::MessageType::edit:  // never pushed (the outbox takes content types only)
    case storage::MessageType::deletion:
    case storage::MessageType::reaction:
      return "m.text";
  }
  return "m.text";
}

// A push gateway's answer read at most (a list of rejected pushkeys of one
// user's devices is a few KiB).
constexpr std::size_t kMaxAnswerBytes = 1024 * 1024;

nlohmann::json device_data(const storage::PushDevice& device) {
  auto data = nlohmann::json::parse(device.data, nullptr, false);
  return data.is_object() ? data : nlohmann::json::object();
}

}  // namespace

std::string message_preview(storage::MessageType type, std::string_view body_json, std::size_t max_chars) {
  std::string text;
  const auto body = nlohmann::json::parse(body_json.begin(), body_json.end(), nullptr, false);
  if (!body.is_discarded() && body.is_object()) {
    if (const auto it = body.find("text"); it != body.end() && it->is_string()) text = it->get<std::string>();
  }
  std::string prefix;
  if (type != storage::MessageType::text) {
    prefix = "[" + std::string(storage::to_string(type)) + "]";
    if (!text.empty()) prefix += ' ';
  }
  // Whitespace runs (newlines) read as one space on a lock screen.
  std::string flat;
  bool space = false;
  for (const char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !flat.empty();
      continue;
    }
    if (space) flat += ' ';
    space = false;
    flat += c;
  }
  bool cut = false;
  const std::size_t keep = max_chars > prefix.size() ? max_chars - prefix.size() : 0;
  std::string preview = prefix + flat.substr(0, prefix_bytes(flat, keep, cut));
  if (cut) preview += "\xE2\x80\xA6";  // …
  return preview;
}

std::string webhook_payload(const storage::PendingNotification& n) {
  nlohmann::ordered_json body;
  // The same (recipient, chat, seq) is the same notification: a receiver
  // deduplicates at-least-once deliveries by this id.
  body["id"] = "n-" + std::to_string(n.recipient_id) + "-" + std::to_string(n.chat_id) + "-" + std::to_string(n.seq);
  body["recipient"] = n.recipient_id;
  body["sender"] = n.sender_id;
  body["sender_name"] = n.sender_name;
  body["chat"] = n.chat_id;
  body["chat_kind"] = std::string(storage::to_string(n.chat_kind));
  body["chat_title"] = n.chat_title;
  body["seq"] = n.seq;
  body["type"] = std::string(storage::to_string(n.type));
  body["preview"] = message_preview(n.type, n.body);
  body["badge"] = n.badge;
  body["ts"] = n.created_at_ms;
  body["attempt"] = n.attempts;
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string matrix_notification_payload(const storage::PendingNotification& n,
                                        std::span<const storage::PushDevice> devices, bool event_id_only) {
  namespace push = protocol::push;
  nlohmann::ordered_json notification;
  // Ids are strings in the Matrix API (Sygnal measures and truncates them as such).
  notification["event_id"] = std::to_string(n.chat_id) + ":" + std::to_string(n.seq);
  notification["room_id"] = std::to_string(n.chat_id);
  if (!event_id_only) {
    notification["type"] = push::kMatrixMessageType;
    notification["sender"] = std::to_string(n.sender_id);
    if (!n.sender_name.empty()) notification["sender_display_name"] = n.sender_name;
    if (n.chat_kind == storage::ChatKind::group && !n.chat_title.empty()) notification["room_name"] = n.chat_title;
  }
  notification["prio"] = push::kMatrixPrioHigh;
  if (!event_id_only) {
    notification["content"] = {{"msgtype", matrix_msgtype(n.type)}, {"body", message_preview(n.type, n.body)}};
  }
  notification["counts"] = {{"unread", n.badge}};
  auto list = nlohmann::ordered_json::array();
  for (const auto& device : devices) {
    list.push_back({{"app_id", device.app_id},
                    {"pushkey", device.pushkey},
                    {"pushkey_ts", device.pushkey_ts_ms / 1000},
                    {"data", device_data(device)}});
  }
  notification["devices"] = std::move(list);
  nlohmann::ordered_json body;
  body["notification"] = std::move(notification);
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool wants_event_id_only(const storage::PushDevice& device) {
  const auto data = device_data(device);
  const auto format = data.find("format");
  return format != data.end() && *format == protocol::push::kFormatEventIdOnly;
}

std::vector<std::string> rejected_pushkeys(std::string_view answer_body) {
  std::vector<std::string> keys;
  // The gateway is trusted no more than a client: its answer is bounded too.
  if (answer_body.size() > kMaxAnswerBytes) return keys;
  const auto answer = parse_bounded_json(answer_body);
  if (!answer || !answer->is_object()) return keys;
  const auto rejected = answer->find("rejected");
  if (rejected == answer->end() || !rejected->is_array()) return keys;
  for (const auto& key : *rejected) {
    if (key.is_string()) keys.push_back(key.get<std::string>());
  }
  return keys;
}

std::optional<WebhookTarget> split_url(std::string_view url) {
  std::size_t scheme_end = 0;
  if (url.rfind("http://", 0) == 0) {
    scheme_end = 7;
  } else if (url.rfind("https://", 0) == 0) {
    scheme_end = 8;
  } else {
    return std::nullopt;
  }
  const std::size_t path_start = url.find('/', scheme_end);
  const std::string_view authority =
      url.substr(scheme_end, path_start == std::string_view::npos ? std::string_view::npos : path_start - scheme_end);
  if (authority.empty() || authority.find_first_of(" @?#") != std::string_view::npos) return std::nullopt;
  WebhookTarget target;
  target.origin = std::string(url.substr(0, scheme_end)) + std::string(authority);
  target.path = path_start == std::string_view::npos ? "/" : std::string(url.substr(path_start));
  return target;
}

}  // namespace chat::bridge
