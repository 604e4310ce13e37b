#pragma once
// Who a client is: the identifier rules of the contract (docs/protocol.md,
// section 1) as the plugin applies them at sign-in. Pure functions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::auth {

using Uid = std::int64_t;
using ChatId = std::int64_t;

// A positive decimal id: no sign, no leading zero, at most INT64_MAX.
std::optional<std::int64_t> parse_id(std::string_view text) noexcept;

// Usernames and client ids may never hold MQTT wildcards or level separators
// (+ # /), NUL or control characters. Mosquitto 2.0's v5 plugin API does not
// check this for us (the check of CVE-2017-7650 applies to its own ACL file
// patterns only), and such a name spliced into a topic would widen it.
bool is_safe_identifier(std::string_view text) noexcept;

// A client id `{uid}:{device}`: uid a positive decimal id, device ^[A-Za-z0-9_-]{1,32}$.
struct ClientId {
  Uid uid = 0;
  std::string_view uid_text;  // the decimal digits of uid, as in topics
  std::string_view device;
};
std::optional<ClientId> parse_client_id(std::string_view client_id) noexcept;

// The folded username when it is a valid one (^[a-z0-9_.]{3,32}$ after folding
// ASCII letters), nullopt otherwise.
std::optional<std::string> canonical_username(std::string_view username);

// Topic level rules.
bool is_valid_device(std::string_view device) noexcept;       // ^[A-Za-z0-9_-]{1,32}$
bool is_valid_message_id(std::string_view id) noexcept;       // ^[A-Za-z0-9_-]{1,64}$

}  // namespace chat::auth
