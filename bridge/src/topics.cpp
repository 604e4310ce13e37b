#include "chat/bridge/topics.hpp"

#include <algorithm>
#include <cstdint>

namespace chat::bridge {
namespace {

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

std::optional<InboundTopic> parse_topic(std::string_view topic) {
  const auto parsed = protocol::parse_topic(topic);
  if (!parsed || parsed->kind == TopicKind::dm_typing || parsed->kind == TopicKind::group_typing) {
    return std::nullopt;
  }
  return InboundTopic{parsed->kind, parsed->target, parsed->from, std::string(parsed->device)};
}

std::vector<std::string> subscription_filters(std::string_view share_group) {
  const std::string prefix = "$share/" + std::string(share_group) + "/";
  return {prefix + "dm/+/msg/+", prefix + "g/+/msg/+", prefix + "dm/+/rcpt/+",
          prefix + "g/+/rcpt/+", prefix + "st/+/+",    prefix + "req/+/+"};
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
    case TopicKind::dm_typing:  // never parsed: the bridge does not read typing
    case TopicKind::group_typing:
      return mix(static_cast<std::uint64_t>(topic.target));
  }
  return 0;
}

}  // namespace chat::bridge
