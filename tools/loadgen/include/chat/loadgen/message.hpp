#pragma once
// Topics and payloads of the wire contract (docs/protocol.md), as the load
// generator writes and reads them, on the hot path: no JSON library.
//
// A loadgen message is a contract text message:
//   {"id":"<run>-<device>-<n>","type":"text","text":"lg:<send µs>:xxxx…","ts":<send ms>}
// - id: the run tag (so runs against the same database never collide), the
//   sending device's index within its user, and the device's message number.
//   Unique per sender, and the same on a resend.
// - text: the send time in microseconds since the epoch (the contract's `ts`
//   is milliseconds, too coarse for loopback latencies), then padding up to
//   the requested payload size. Text survives every path a message can take
//   (broker fan-out, database, `sync`), unlike an extra field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::loadgen {

// ---------------------------------------------------------------- topics
enum class ChatKind : std::uint8_t { direct, group };

std::string dm_msg_topic(std::uint64_t to, std::uint64_t from);       // dm/{to}/msg/{from}
std::string group_msg_topic(std::uint64_t chat, std::uint64_t from);  // g/{chat}/msg/{from}
std::string user_event_topic(std::uint64_t uid);                      // u/{uid}/ev

struct MsgTopic {
  ChatKind kind = ChatKind::direct;
  std::uint64_t target = 0;  // `to` of a dm, `chat` of a group
  std::uint64_t from = 0;
  bool operator==(const MsgTopic&) const = default;
};

// Parses `dm/{to}/msg/{from}` or `g/{chat}/msg/{from}` with the contract's ids
// (chat::protocol::parse_id); nullopt for anything else (receipts, typing,
// malformed ids).
std::optional<MsgTopic> parse_msg_topic(std::string_view topic);

// ---------------------------------------------------------------- message ids
struct MessageId {
  std::string run;           // [A-Za-z0-9]{1,16}
  std::uint32_t device = 0;  // index of the device within its user
  std::uint64_t n = 0;       // the device's message number, from 0
  bool operator==(const MessageId&) const = default;
};

std::string format_message_id(std::string_view run, std::uint32_t device, std::uint64_t n);
std::optional<MessageId> parse_message_id(std::string_view id);

// A short run tag from a number (the start time): base 36, at most 13 chars.
std::string make_run_tag(std::uint64_t seed);

// ---------------------------------------------------------------- payloads
// Builds a message payload of at least `payload_bytes` bytes (exactly, when the
// fixed part is smaller). send_us: microseconds since the epoch. words: the
// text is filled with words (as people write: many distinct trigrams for the
// search index, docs/benchmarks.md "Search") instead of one repeated letter.
std::string build_message(std::string_view id, std::uint64_t send_us, std::size_t payload_bytes, bool words = false);

struct ParsedMessage {
  std::string_view id;
  std::uint64_t send_us = 0;  // 0 when the text carries no loadgen time
};

// Reads `id` and the loadgen send time from a payload this tool built, or from
// the same message re-serialised by the server (key order and spacing may
// differ). nullopt when there is no string `id`.
std::optional<ParsedMessage> parse_message(std::string_view payload);

// The bridge's acks on u/{uid}/ev, in either shape:
//   {"ev":"acks","acks":[{"chat":…,"id":…,"seq":…,"ts":…}, …]}  one event per sender per transaction
//   {"ev":"ack","chat":…,"id":…,"seq":…,"ts":…}                   one per message (being retired)
struct AckEvent {
  std::uint64_t chat = 0;
  std::string id;
  std::uint64_t seq = 0;
};
// Every well-formed ack of the event; empty for any other event or malformed JSON.
std::vector<AckEvent> parse_ack_events(std::string_view payload);
// The id of a {"ev":"nack","id":…,…} event; nullopt for anything else.
std::optional<std::string> parse_nack_id(std::string_view payload);

}  // namespace chat::loadgen
