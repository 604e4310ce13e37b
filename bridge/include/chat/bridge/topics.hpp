#pragma once
// The topics the bridge reads and writes (docs/protocol.md, section 2).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::bridge {

using Id = std::int64_t;  // uid or chat id: positive, decimal on the wire

enum class TopicKind {
  dm_msg,        // dm/{to}/msg/{from}
  group_msg,     // g/{chat}/msg/{from}
  dm_rcpt,       // dm/{to}/rcpt/{from}
  group_rcpt,    // g/{chat}/rcpt/{from}
  device_state,  // st/{uid}/{device}
  request,       // req/{uid}/{device}
};

struct InboundTopic {
  TopicKind kind = TopicKind::dm_msg;
  Id target = 0;       // dm: `to`; group: the chat; device_state: the uid
  Id from = 0;         // the publisher's uid (device_state, request: the uid)
  std::string device;  // device_state and request only

  bool is_message() const { return kind == TopicKind::dm_msg || kind == TopicKind::group_msg; }
  bool is_receipt() const { return kind == TopicKind::dm_rcpt || kind == TopicKind::group_rcpt; }
  bool operator==(const InboundTopic&) const = default;
};

// A positive decimal id: no sign, no leading zero, fits 63 bits.
std::optional<Id> parse_id(std::string_view text);

// ^[A-Za-z0-9_-]{1,32}$ (the contract's device id).
bool valid_device_id(std::string_view device);

// One of the topics above with well-formed ids; nullopt for anything else.
std::optional<InboundTopic> parse_topic(std::string_view topic);

std::string event_topic(Id uid);     // u/{uid}/ev
std::string presence_topic(Id uid);  // presence/{uid}
std::string response_topic(Id uid, std::string_view device);  // u/{uid}/rsp/{device}

// The shared subscriptions of the bridge: $share/{group}/dm/+/msg/+ and the
// other five inbound topics (requests included).
std::vector<std::string> subscription_filters(std::string_view share_group);

// Messages and receipts of one chat get the same key (a direct chat by its
// pair of users, in either direction), so one writer sees them in order.
std::uint64_t shard_key(const InboundTopic& topic);

}  // namespace chat::bridge
