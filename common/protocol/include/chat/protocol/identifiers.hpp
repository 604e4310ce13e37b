#pragma once
// Who and what the contract names (docs/protocol.md, section 1): user and
// chat ids, usernames, phones, devices, client ids, message and media ids.
// Pure functions; none allocates except the ones returning a std::string.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::protocol {

using Id = std::int64_t;  // a uid or a chat id: positive, decimal on the wire

inline constexpr std::size_t kMaxIdDigits = 19;  // INT64_MAX has 19 digits
inline constexpr std::size_t kMinUsernameBytes = 3;
inline constexpr std::size_t kMaxUsernameBytes = 32;
inline constexpr std::size_t kMaxDeviceBytes = 32;
inline constexpr std::size_t kMaxMessageIdBytes = 64;

// A positive decimal id: no sign, no leading zero, at most INT64_MAX
// ("07" is not 7: one id has exactly one text, in topics and keys alike).
std::optional<Id> parse_id(std::string_view text) noexcept;

// [A-Za-z0-9_-]: the characters of devices, message ids and media ids (none
// needs escaping in JSON or a topic).
bool is_token_char(char c) noexcept;

// ^[A-Za-z0-9_-]{1,32}$: the device of a client id and of st/ and req/ topics.
bool is_valid_device(std::string_view device) noexcept;
// ^[A-Za-z0-9_-]{1,64}$: a message's `id`, chosen by its sender.
bool is_valid_message_id(std::string_view id) noexcept;
// ^[A-Za-z0-9_-]{1,64}$: a media id (the same class as a message id).
bool is_valid_media_id(std::string_view id) noexcept;

// Usernames are case-folded: "Alice" and "alice" are one account. Only ASCII
// letters fold; anything non-ASCII is left as is and fails is_valid_username.
std::string fold_username(std::string_view username);
bool is_valid_username(std::string_view username) noexcept;  // ^[a-z0-9_.]{3,32}$
// ^[a-z0-9_.]{1,32}$: what a username may start with (an operator's search by prefix).
bool is_valid_username_prefix(std::string_view prefix) noexcept;
// The folded username when it is a valid one, nullopt otherwise.
std::optional<std::string> canonical_username(std::string_view username);

bool is_valid_phone(std::string_view phone) noexcept;  // E.164: ^\+[1-9][0-9]{6,14}$

// Usernames and client ids may never hold MQTT wildcards or level separators
// (+ # /), NUL or control characters: spliced into a topic, such a name would
// widen it. (Mosquitto 2.0's v5 plugin API does not check this for us.)
bool is_safe_identifier(std::string_view text) noexcept;

// A client id `{uid}:{device}`. The views point into the parsed text.
struct ClientId {
  Id uid = 0;
  std::string_view uid_text;  // the decimal digits of uid, as in topics
  std::string_view device;
};
std::optional<ClientId> parse_client_id(std::string_view client_id) noexcept;

}  // namespace chat::protocol
