#pragma once
// The contract's topics (docs/protocol.md, section 2): their level names,
// how the ones users publish to are read, and how every topic is built.
// parse_topic() allocates nothing (the broker plugin calls it per publish).
#include "chat/protocol/identifiers.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace chat::protocol {

// The channel level of a dm/ or g/ topic.
enum class Channel : std::uint8_t { msg, rcpt, typing };
std::optional<Channel> parse_channel(std::string_view level) noexcept;
std::string_view channel_name(Channel channel) noexcept;

// What users publish to.
enum class TopicKind : std::uint8_t {
  dm_msg,        // dm/{to}/msg/{from}
  dm_rcpt,       // dm/{to}/rcpt/{from}
  dm_typing,     // dm/{to}/typing/{from}
  group_msg,     // g/{chat}/msg/{from}
  group_rcpt,    // g/{chat}/rcpt/{from}
  group_typing,  // g/{chat}/typing/{from}
  device_state,  // st/{uid}/{device}
  request,       // req/{uid}/{device}
};

struct Topic {
  TopicKind kind = TopicKind::dm_msg;
  Id target = 0;            // dm: `to`; g: the chat; st/req: the uid
  Id from = 0;              // the publisher's uid (st/req: the uid)
  std::string_view device;  // st/req only; points into the parsed topic

  bool is_direct() const noexcept {
    return kind == TopicKind::dm_msg || kind == TopicKind::dm_rcpt || kind == TopicKind::dm_typing;
  }
  bool is_group() const noexcept {
    return kind == TopicKind::group_msg || kind == TopicKind::group_rcpt || kind == TopicKind::group_typing;
  }
  // The channel of a dm/ or g/ topic; nullopt for st/ and req/.
  std::optional<Channel> channel() const noexcept;
};

// One of the topics above with well-formed ids and device, exactly as many
// levels as the table has; nullopt for anything else (wildcards included).
std::optional<Topic> parse_topic(std::string_view topic) noexcept;

std::string dm_topic(Channel channel, Id to, Id from);        // dm/{to}/{channel}/{from}
std::string group_topic(Channel channel, Id chat, Id from);   // g/{chat}/{channel}/{from}
std::string event_topic(Id uid);                              // u/{uid}/ev
std::string event_topic(std::string_view uid_text);           // u/{uid}/ev, uid already decimal
std::string response_topic(Id uid, std::string_view device);  // u/{uid}/rsp/{device}
std::string request_topic(Id uid, std::string_view device);   // req/{uid}/{device}
std::string state_topic(Id uid, std::string_view device);     // st/{uid}/{device}
std::string presence_topic(Id uid);                           // presence/{uid}

// Filters a user subscribes to (docs/protocol.md, end of section 2).
std::string direct_inbox_filter(Id uid);  // dm/{uid}/#
std::string group_filter(Id chat);        // g/{chat}/#

}  // namespace chat::protocol
