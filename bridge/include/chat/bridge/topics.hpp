#pragma once
// The topics the bridge reads and writes (docs/protocol.md, section 2).
#include "chat/protocol/topics.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::bridge {

using Id = protocol::Id;  // uid or chat id: positive, decimal on the wire

// The contract's topic kinds; the bridge reads all but typing.
using protocol::TopicKind;

struct InboundTopic {
  TopicKind kind = TopicKind::dm_msg;
  Id target = 0;       // dm: `to`; group: the chat; device_state: the uid
  Id from = 0;         // the publisher's uid (device_state, request: the uid)
  std::string device;  // device_state and request only

  bool is_message() const { return kind == TopicKind::dm_msg || kind == TopicKind::group_msg; }
  bool is_receipt() const { return kind == TopicKind::dm_rcpt || kind == TopicKind::group_rcpt; }
  bool operator==(const InboundTopic&) const = default;
};

// The contract's rules and topic builders, named here for the bridge's code.
using protocol::event_topic;  // u/{uid}/ev
using protocol::parse_id;
using protocol::presence_topic;  // presence/{uid}
using protocol::response_topic;  // u/{uid}/rsp/{device}

// A message, receipt, device state or request topic with well-formed ids;
// nullopt for anything else (typing included: the bridge never reads it).
std::optional<InboundTopic> parse_topic(std::string_view topic);

// The shared subscriptions of the bridge: $share/{group}/dm/+/msg/+ and the
// other five inbound topics (requests included).
std::vector<std::string> subscription_filters(std::string_view share_group);

// Messages and receipts of one chat get the same key (a direct chat by its
// pair of users, in either direction), so one writer sees them in order.
std::uint64_t shard_key(const InboundTopic& topic);

}  // namespace chat::bridge
