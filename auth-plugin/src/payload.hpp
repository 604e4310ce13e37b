#pragma once
// Edge validation of what users publish (docs/protocol.md, section 3):
// messages (.../msg/...) and receipts (.../rcpt/...) must be JSON objects of
// the contract's shape, valid UTF-8 and within the size limit; anything else a
// user publishes only has to be within the size limit. Pure functions.
#include "acl.hpp"
#include "chat/protocol/limits.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace chat::auth {

// Why a publish was refused: the `error` of the contract's nack event.
enum class Rejection { none, bad_request, forbidden, too_large, rate_limited };
std::string_view to_string(Rejection rejection) noexcept;

struct PayloadCheck {
  Rejection error = Rejection::none;
  std::string detail;                     // for the nack, short and safe to show
  std::optional<std::string> message_id;  // the message's `id` when it could be read
  bool ok() const { return error == Rejection::none; }
};

// Well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

inline constexpr std::size_t kMaxReceiptRefs = protocol::limits::kMaxReceiptRefs;
// How far a refused message is read for its `id` when it was not (or could
// not be) checked as a whole: too large, not JSON after the id, forbidden,
// rate limited. Clients put `id` first (docs/protocol.md, section 3).
inline constexpr std::size_t kIdPeekBytes = 4096;

// The message's top-level `id`, when the first kIdPeekBytes of the payload
// hold it and it is a valid id; whatever comes after is not looked at.
std::optional<std::string> leading_message_id(std::string_view payload);
inline constexpr int kMaxJsonDepth = protocol::limits::kMaxJsonDepth;

// Checks payloads, keeping its parser's state between calls so that it
// allocates nothing once warm (the plugin has one, on the broker thread).
// Not thread-safe.
class PayloadChecker {
 public:
  PayloadChecker();
  ~PayloadChecker();
  PayloadChecker(const PayloadChecker&) = delete;
  PayloadChecker& operator=(const PayloadChecker&) = delete;

  PayloadCheck message(std::string_view payload);
  PayloadCheck receipt(std::string_view payload, bool in_group);
  // The whole edge check of one user publish to `topic`: size first, then the
  // payload rules of its channel.
  PayloadCheck publish(const TopicInfo& topic, std::string_view payload, std::size_t max_bytes);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The same with a fresh checker each time (tests, rare paths).
PayloadCheck check_message(std::string_view payload);
PayloadCheck check_receipt(std::string_view payload, bool in_group);
PayloadCheck check_publish(const TopicInfo& topic, std::string_view payload, std::size_t max_bytes);

// The contract's nack event:
// {"ev":"nack","id":<id or null>,"topic":"...","error":"...","detail":"..."}
std::string make_nack(const std::optional<std::string>& id, std::string_view topic, Rejection error,
                      std::string_view detail);

}  // namespace chat::auth
