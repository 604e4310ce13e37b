#include "chat/loadgen/message.hpp"

#include "chat/protocol/events.hpp"
#include "chat/protocol/topics.hpp"

#include <charconv>
#include <iterator>
#include <nlohmann/json.hpp>

namespace chat::loadgen {
namespace {

constexpr std::string_view kTimePrefix = "lg:";

bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

// Finds `"key"` followed by optional spaces and a colon; returns the position after the colon
// and any spaces. Only keys at any depth are matched textually, which is enough for the flat
// objects of the contract's messages.
std::optional<std::size_t> find_value(std::string_view json, std::string_view key) {
  std::string needle;
  needle.reserve(key.size() + 2);
  needle += '"';
  needle += key;
  needle += '"';
  for (std::size_t pos = json.find(needle); pos != std::string_view::npos; pos = json.find(needle, pos + 1)) {
    std::size_t p = pos + needle.size();
    while (p < json.size() && (json[p] == ' ' || json[p] == '\t' || json[p] == '\n' || json[p] == '\r')) ++p;
    if (p >= json.size() || json[p] != ':') continue;  // the text was a value, not a key
    ++p;
    while (p < json.size() && (json[p] == ' ' || json[p] == '\t' || json[p] == '\n' || json[p] == '\r')) ++p;
    return p;
  }
  return std::nullopt;
}

// The string value at `pos` (which must be a quote) when it holds no escapes.
std::optional<std::string_view> plain_string_at(std::string_view json, std::size_t pos) {
  if (pos >= json.size() || json[pos] != '"') return std::nullopt;
  const auto end = json.find('"', pos + 1);
  if (end == std::string_view::npos) return std::nullopt;
  const auto value = json.substr(pos + 1, end - pos - 1);
  if (value.find('\\') != std::string_view::npos) return std::nullopt;
  return value;
}

}  // namespace

// Loadgen ids are unsigned (indices plus a base); the contract's fit 63 bits.
std::string dm_msg_topic(std::uint64_t to, std::uint64_t from) {
  return protocol::dm_topic(protocol::Channel::msg, static_cast<protocol::Id>(to), static_cast<protocol::Id>(from));
}

std::string group_msg_topic(std::uint64_t chat, std::uint64_t from) {
  return protocol::group_topic(protocol::Channel::msg, static_cast<protocol::Id>(chat),
                               static_cast<protocol::Id>(from));
}

std::string user_event_topic(std::uint64_t uid) { return protocol::event_topic(static_cast<protocol::Id>(uid)); }

std::optional<MsgTopic> parse_msg_topic(std::string_view topic) {
  const auto parsed = protocol::parse_topic(topic);
  if (!parsed) return std::nullopt;
  if (parsed->kind != protocol::TopicKind::dm_msg && parsed->kind != protocol::TopicKind::group_msg) {
    return std::nullopt;
  }
  return MsgTopic{parsed->is_direct() ? ChatKind::direct : ChatKind::group, static_cast<std::uint64_t>(parsed->target),
                  static_cast<std::uint64_t>(parsed->from)};
}

std::string format_message_id(std::string_view run, std::uint32_t device, std::uint64_t n) {
  std::string id;
  id.reserve(run.size() + 24);
  id += run;
  id += '-';
  id += std::to_string(device);
  id += '-';
  id += std::to_string(n);
  return id;
}

std::optional<MessageId> parse_message_id(std::string_view id) {
  const auto last = id.rfind('-');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  const auto mid = id.rfind('-', last - 1);
  if (mid == std::string_view::npos || mid == 0) return std::nullopt;
  const auto run = id.substr(0, mid);
  if (run.size() > 16) return std::nullopt;
  for (char c : run) {
    if (!is_alnum(c)) return std::nullopt;
  }
  const auto dev_text = id.substr(mid + 1, last - mid - 1);
  const auto n_text = id.substr(last + 1);
  // Canonical decimal only, so one message has exactly one id text.
  const auto canonical = [](std::string_view t) { return !t.empty() && (t.size() == 1 || t[0] != '0'); };
  if (!canonical(dev_text) || !canonical(n_text)) return std::nullopt;
  const auto dev = parse_u64(dev_text);
  const auto n = parse_u64(n_text);
  if (!dev || !n || *dev > 0xffffffffULL) return std::nullopt;
  return MessageId{.run = std::string(run), .device = static_cast<std::uint32_t>(*dev), .n = *n};
}

std::string make_run_tag(std::uint64_t seed) {
  constexpr std::string_view digits = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  do {
    out.insert(out.begin(), digits[static_cast<std::size_t>(seed % 36)]);
    seed /= 36;
  } while (seed != 0);
  return out;
}

namespace {

// Appends `count` bytes of words drawn from a small vocabulary, varied by seed.
void append_words(std::string& out, std::size_t count, std::uint64_t seed) {
  static constexpr std::string_view kWords[] = {
      "meeting", "tomorrow", "lunch",   "project", "deadline", "weekend", "coffee",  "review", "budget",  "travel",
      "ticket",  "photo",    "dinner",  "report",  "update",   "call",    "later",   "thanks", "great",   "idea",
      "music",   "movie",    "station", "harbour", "garden",   "kitchen", "window",  "yellow", "quarter", "number",
      "village", "mountain", "river",   "bicycle", "concert",  "library", "holiday", "office", "morning", "evening"};
  std::uint64_t state = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  const std::size_t end = out.size() + count;
  while (out.size() < end) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::string_view word = kWords[(state >> 33) % std::size(kWords)];
    out.append(word.substr(0, end - out.size()));
    if (out.size() < end) out += ' ';
  }
}

}  // namespace

std::string build_message(std::string_view id, std::uint64_t send_us, std::size_t payload_bytes, bool words) {
  std::string out;
  out.reserve(payload_bytes + 96);
  out += R"({"id":")";
  out += id;
  out += R"(","type":"text","text":")";
  out += kTimePrefix;
  out += std::to_string(send_us);
  out += ':';
  const std::string tail = R"(","ts":)" + std::to_string(send_us / 1000) + "}";
  if (out.size() + tail.size() < payload_bytes) {
    const std::size_t fill = payload_bytes - out.size() - tail.size();
    if (words) {
      append_words(out, fill, send_us);
    } else {
      out.append(fill, 'x');
    }
  }
  out += tail;
  return out;
}

std::optional<ParsedMessage> parse_message(std::string_view payload) {
  const auto id_pos = find_value(payload, "id");
  if (!id_pos) return std::nullopt;
  const auto id = plain_string_at(payload, *id_pos);
  if (!id) return std::nullopt;
  ParsedMessage out{.id = *id};
  if (const auto text_pos = find_value(payload, "text")) {
    const auto text = plain_string_at(payload, *text_pos);
    if (text && text->starts_with(kTimePrefix)) {
      const auto digits = text->substr(kTimePrefix.size());
      const auto colon = digits.find(':');
      if (colon != std::string_view::npos) {
        if (const auto us = parse_u64(digits.substr(0, colon))) out.send_us = *us;
      }
    }
  }
  return out;
}

namespace {

std::optional<AckEvent> ack_of(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  const auto id = j.find("id");
  const auto chat = j.find("chat");
  const auto seq = j.find("seq");
  if (id == j.end() || !id->is_string()) return std::nullopt;
  if (chat == j.end() || !chat->is_number_unsigned()) return std::nullopt;
  if (seq == j.end() || !seq->is_number_unsigned()) return std::nullopt;
  return AckEvent{.chat = chat->get<std::uint64_t>(), .id = id->get<std::string>(), .seq = seq->get<std::uint64_t>()};
}

// The event's name, or empty when the payload is no event object.
std::string event_name(const nlohmann::json& j) {
  if (!j.is_object()) return {};
  const auto ev = j.find("ev");
  return ev != j.end() && ev->is_string() ? ev->get<std::string>() : std::string{};
}

}  // namespace

std::vector<AckEvent> parse_ack_events(std::string_view payload) {
  const auto json = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  const auto name = event_name(json);
  std::vector<AckEvent> out;
  if (name == protocol::event::kAck) {
    if (auto a = ack_of(json)) out.push_back(std::move(*a));
  } else if (name == protocol::event::kAcks) {
    const auto list = json.find(std::string(protocol::event::kAcks));
    if (list == json.end() || !list->is_array()) return out;
    for (const auto& item : *list) {
      if (auto a = ack_of(item)) out.push_back(std::move(*a));
    }
  }
  return out;
}

std::optional<std::string> parse_nack_id(std::string_view payload) {
  const auto json = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (event_name(json) != protocol::event::kNack) return std::nullopt;
  const auto id = json.find("id");
  if (id == json.end() || !id->is_string()) return std::nullopt;
  return id->get<std::string>();
}

}  // namespace chat::loadgen
