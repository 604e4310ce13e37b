#include "chat/bridge/topics.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace chat::bridge {
namespace {

// Splits into exactly N levels; false when the count differs.
template <std::size_t N>
bool split_levels(std::string_view topic, std::array<std::string_view, N>& levels) {
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

std::uint64_t mix(std::uint64_t x) {
  // splitmix64's finalizer: spreads consecutive ids over the shards.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

std::optional<Id> parse_id(std::string_view text) {
  if (text.empty() || text.size() > 19 || text.front() == '0') return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<Id>(value);
}

bool valid_device_id(std::string_view device) {
  if (device.empty() || device.size() > 32) return false;
  for (const char c : device) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<InboundTopic> parse_topic(std::string_view topic) {
  std::array<std::string_view, 4> four{};
  if (split_levels(topic, four)) {
    const bool dm = four[0] == "dm";
    const bool group = four[0] == "g";
    if (!dm && !group) return std::nullopt;
    InboundTopic t;
    if (four[2] == "msg") {
      t.kind = dm ? TopicKind::dm_msg : TopicKind::group_msg;
    } else if (four[2] == "rcpt") {
      t.kind = dm ? TopicKind::dm_rcpt : TopicKind::group_rcpt;
    } else {
      return std::nullopt;
    }
    const auto target = parse_id(four[1]);
    const auto from = parse_id(four[3]);
    if (!target || !from) return std::nullopt;
    t.target = *target;
    t.from = *from;
    return t;
  }
  std::array<std::string_view, 3> three{};
  if (split_levels(topic, three) && (three[0] == "st" || three[0] == "req")) {
    const auto uid = parse_id(three[1]);
    if (!uid || !valid_device_id(three[2])) return std::nullopt;
    InboundTopic t;
    t.kind = three[0] == "st" ? TopicKind::device_state : TopicKind::request;
    t.target = *uid;
    t.from = *uid;
    t.device = std::string(three[2]);
    return t;
  }
  return std::nullopt;
}

std::string event_topic(Id uid) { return "u/" + std::to_string(uid) + "/ev"; }

std::string presence_topic(Id uid) { return "presence/" + std::to_string(uid); }

std::string response_topic(Id uid, std::string_view device) {
  return "u/" + std::to_string(uid) + "/rsp/" + std::string(device);
}

std::vector<std::string> subscription_filters(std::string_view share_group) {
  const std::string prefix = "$share/" + std::string(share_group) + "/";
  return {prefix + "dm/+/msg/+", prefix + "g/+/msg/+", prefix + "dm/+/rcpt/+", prefix + "g/+/rcpt/+",
          prefix + "st/+/+", prefix + "req/+/+"};
}

std::uint64_t shard_key(const InboundTopic& topic) {
  switch (topic.kind) {
    case TopicKind::dm_msg:
    case TopicKind::dm_rcpt: {
      const auto lo = static_cast<std::uint64_t>(std::min(topic.target, topic.from));
      const auto hi = static_cast<std::uint64_t>(std::max(topic.target, topic.from));
      return mix(lo * 0x9e3779b97f4a7c15ULL ^ mix(hi));
    }
    case TopicKind::group_msg:
    case TopicKind::group_rcpt:
      return mix(static_cast<std::uint64_t>(topic.target) ^ 0x5555555555555555ULL);
    case TopicKind::device_state:
    case TopicKind::request:
      return mix(static_cast<std::uint64_t>(topic.target));
  }
  return 0;
}

}  // namespace chat::bridge
