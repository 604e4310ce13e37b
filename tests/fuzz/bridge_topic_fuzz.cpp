// The bridge's reading of inbound topics (chat/bridge/topics.hpp): every
// message, receipt, device state and request is routed by it.
//
// Input: the topic.
#include "chat/bridge/topics.hpp"
#include "fuzz_input.hpp"

#include <string>

namespace {

using chat::bridge::TopicKind;

// The topic a parsed one came from, rebuilt: parsing must be exact, so that
// two different topics never reach the same chat and sender.
std::string rebuild(const chat::bridge::InboundTopic& t) {
  const auto id = [](chat::bridge::Id v) { return std::to_string(v); };
  switch (t.kind) {
    case TopicKind::dm_msg:
      return "dm/" + id(t.target) + "/msg/" + id(t.from);
    case TopicKind::group_msg:
      return "g/" + id(t.target) + "/msg/" + id(t.from);
    case TopicKind::dm_rcpt:
      return "dm/" + id(t.target) + "/rcpt/" + id(t.from);
    case TopicKind::group_rcpt:
      return "g/" + id(t.target) + "/rcpt/" + id(t.from);
    case TopicKind::device_state:
      return "st/" + id(t.target) + "/" + t.device;
    case TopicKind::request:
      return "req/" + id(t.target) + "/" + t.device;
    case TopicKind::dm_typing:  // the bridge never reads typing: an empty rebuild fails the check
    case TopicKind::group_typing:
      return {};
  }
  return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view topic(reinterpret_cast<const char*>(data), size);
  if (const auto parsed = chat::bridge::parse_topic(topic)) {
    chat::fuzz::require(parsed->target > 0 && parsed->from > 0);
    chat::fuzz::require(rebuild(*parsed) == topic);
    chat::bridge::shard_key(*parsed);
  }
  if (const auto id = chat::bridge::parse_id(topic)) chat::fuzz::require(std::to_string(*id) == topic);
  return 0;
}
