#pragma once
// Pages of every list: `limit` (default 50, at most 200) and an opaque
// `cursor` taken from the previous answer's "next"; an answer is
// {"items":[...], "next": "<cursor>" | null}.
//
// A cursor is base64url("<list>:<key>"): the list it belongs to and the last
// key the previous page showed (an id, a username, a seq). Opaque to clients,
// so the encoding may change; a cursor of another list, or garbage, is a 400
// naming "cursor".
#include "chat/admin/api_error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::admin {

inline constexpr int kDefaultPageLimit = 50;
inline constexpr int kMaxPageLimit = 200;

// nullopt (no parameter) gives the default; otherwise 1..200 or bad_request("limit").
int parse_limit(std::optional<std::string_view> text);

std::string encode_cursor(std::string_view list, std::string_view key);
// The key of a cursor made for `list`; bad_request("cursor") otherwise.
std::string decode_cursor(std::string_view cursor, std::string_view list);
// A cursor whose key is a non-negative integer (ids, seqs).
std::int64_t decode_integer_cursor(std::string_view cursor, std::string_view list);

// Base64url without padding (RFC 4648 section 5).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace chat::admin
