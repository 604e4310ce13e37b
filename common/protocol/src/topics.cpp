#include "chat/protocol/topics.hpp"

#include <array>

namespace chat::protocol {
namespace {

// Splits into exactly N levels; false when the count differs.
template <std::size_t N>
bool split_levels(std::string_view topic, std::array<std::string_view, N>& levels) noexcept {
  std::size_t i = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = topic.find('/', start);
    if (i == N) return false;
    levels[i++] = topic.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return i == N;
}

TopicKind chat_topic_kind(bool direct, Channel channel) noexcept {
  switch (channel) {
    case Channel::msg:
      return direct ? TopicKind::dm_msg : TopicKind::group_msg;
    case Channel::rcpt:
      return direct ? TopicKind::dm_rcpt : TopicKind::group_rcpt;
    case Channel::typing:
      return direct ? TopicKind::dm_typing : TopicKind::group_typing;
  }
  return TopicKind::dm_msg;
}

std::string join(std::string_view a, std::string_view b, std::string_view c) {
  std::string out;
  out.reserve(a.size() + b.size() + c.size() + 2);
  out += a;
  out += '/';
  out += b;
  out += '/';
  out += c;
  return out;
}

std::string join(std::string_view a, std::string_view b, std::string_view c, std::string_view d) {
  std::string out = join(a, b, c);
  out += '/';
  out += d;
  return out;
}

}  // namespace

std::optional<Channel> parse_channel(std::string_view level) noexcept {
  if (level == "msg") return Channel::msg;
  if (level == "rcpt") return Channel::rcpt;
  if (level == "typing") return Channel::typing;
  return std::nullopt;
}

std::string_view channel_name(Channel channel) noexcept {
  switch (channel) {
    case Channel::msg:
      return "msg";
    case Channel::rcpt:
      return "rcpt";
    case Channel::typing:
      return "typing";
  }
  return "msg";
}

std::optional<Channel> Topic::channel() const noexcept {
  switch (kind) {
    case TopicKind::dm_msg:
    case TopicKind::group_msg:
      return Channel::msg;
    case TopicKind::dm_rcpt:
    case TopicKind::group_rcpt:
      return Channel::rcpt;
    case TopicKind::dm_typing:
    case TopicKind::group_typing:
      return Channel::typing;
    case TopicKind::device_state:
    case TopicKind::request:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Topic> parse_topic(std::string_view topic) noexcept {
  std::array<std::string_view, 4> four{};
  if (split_levels(topic, four)) {
    const bool direct = four[0] == "dm";
    if (!direct && four[0] != "g") return std::nullopt;
    const auto channel = parse_channel(four[2]);
    const auto target = parse_id(four[1]);
    const auto from = parse_id(four[3]);
    if (!channel || !target || !from) return std::nullopt;
    return Topic{chat_topic_kind(direct, *channel), *target, *from, {}};
  }
  std::array<std::string_view, 3> three{};
  if (split_levels(topic, three) && (three[0] == "st" || three[0] == "req")) {
    const auto uid = parse_id(three[1]);
    if (!uid || !is_valid_device(three[2])) return std::nullopt;
    const TopicKind kind = three[0] == "st" ? TopicKind::device_state : TopicKind::request;
    return Topic{kind, *uid, *uid, three[2]};
  }
  return std::nullopt;
}

std::string dm_topic(Channel channel, Id to, Id from) {
  return join("dm", std::to_string(to), channel_name(channel), std::to_string(from));
}

std::string group_topic(Channel channel, Id chat, Id from) {
  return join("g", std::to_string(chat), channel_name(channel), std::to_string(from));
}

std::string event_topic(Id uid) { return event_topic(std::to_string(uid)); }

std::string event_topic(std::string_view uid_text) { return join("u", uid_text, "ev"); }

std::string response_topic(Id uid, std::string_view device) { return join("u", std::to_string(uid), "rsp", device); }

std::string request_topic(Id uid, std::string_view device) { return join("req", std::to_string(uid), device); }

std::string state_topic(Id uid, std::string_view device) { return join("st", std::to_string(uid), device); }

std::string presence_topic(Id uid) {
  std::string out = "presence/";
  out += std::to_string(uid);
  return out;
}

std::string direct_inbox_filter(Id uid) { return join("dm", std::to_string(uid), "#"); }

std::string group_filter(Id chat) { return join("g", std::to_string(chat), "#"); }

}  // namespace chat::protocol
