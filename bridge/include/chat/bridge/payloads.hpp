#pragma once
// Payloads the bridge reads (messages, receipts, device states) and writes
// (ack/nack events, presence), per docs/protocol.md section 3.
#include "chat/storage/delivery_types.hpp"
#include "chat/storage/types.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chat::bridge {

// ---- messages ----------------------------------------------------------------

struct MessagePayload {
  std::string id;  // the sender's client id
  storage::MessageType type = storage::MessageType::text;
  std::string body;  // the other fields (no id/type/ts) as a JSON object
  // What storage checks and applies (also in `body`, as sent):
  std::int64_t reply_to = 0;  // 0: none
  std::int64_t target = 0;    // edit, delete, reaction
  std::string edit_text;      // edit
  std::string emoji;          // reaction
  bool remove = false;        // reaction
};

struct PayloadError {
  std::string error;  // bad_request | too_large (the nack's `error`)
  std::string detail;
  std::optional<std::string> id;  // the client id, when one could be read: then the sender gets a nack
};

// Validates a message payload: a JSON object of at most max_bytes with a valid
// `id` and `type`, `text` (type text) or `media` (image/voice/file) present,
// and no NUL character anywhere (PostgreSQL's jsonb cannot hold one). Edits,
// deletes and reactions need `target` (integer > 0) and carry no `media`; an
// edit needs `text`; a reaction an `emoji` of one grapheme (at most 32 bytes)
// and `remove`, if present, a boolean; `reply_to`, if present, an integer > 0.
std::variant<MessagePayload, PayloadError> parse_message_payload(std::string_view payload, std::size_t max_bytes);

// ---- receipts ----------------------------------------------------------------

struct ReceiptRef {
  std::int64_t from = 0;  // 0: left out (allowed in a dm: the other user)
  std::string id;
};

struct ReceiptPayload {
  storage::ReceiptKind kind = storage::ReceiptKind::delivered;
  std::int64_t seq = 0;  // 0: none
  std::vector<ReceiptRef> refs;
};

// {"type":"delivered"|"read","seq":n} or {"type":…,"refs":[{"from":u,"id":"…"}]};
// nullopt when malformed or when it names nothing.
std::optional<ReceiptPayload> parse_receipt_payload(std::string_view payload);

// ---- device state --------------------------------------------------------------

// `online` / `offline` as plain text (the contract), also as a JSON string or
// {"state":"online"} / {"online":true}. nullopt for anything else.
std::optional<bool> parse_device_state(std::string_view payload);

// ---- events we publish -----------------------------------------------------------

// Acks: ack_batch.hpp.
// {"ev":"nack","id":…,"topic":…,"error":…,"detail":…}
std::string nack_event(std::string_view id, std::string_view topic, std::string_view error, std::string_view detail);
// {"online":true} or {"online":false,"last_seen":…}
std::string presence_payload(bool online, std::optional<std::int64_t> last_seen_ms);

// What the sender is told about one append result.
struct Reply {
  bool ack = true;
  std::string error;   // nack only: not_found | forbidden
  std::string detail;  // nack only
};
Reply reply_for(const storage::AppendResult& result);

// "$SYS/broker/uptime" reads "1234 seconds".
std::optional<std::int64_t> parse_uptime_seconds(std::string_view payload);

// The time before which a device recorded online cannot still be connected:
// the broker's start, from an uptime message received at `received_ms`, less
// 2 s for the uptime's one-second resolution. A retained uptime message may be
// up to one sys_interval (10 s) old, which makes the start look later than it
// was: then another 10 s are taken off, so that no device that connected to
// this broker is ever cleared.
std::int64_t stale_cutoff_ms(std::int64_t received_ms, std::int64_t uptime_s, bool retained);

}  // namespace chat::bridge
