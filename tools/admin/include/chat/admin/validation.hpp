#pragma once
// Field rules of the admin API (docs/protocol.md section 1 for identities).
// Each check throws ApiError{bad_request} naming the field, so a handler
// validates everything before the first database round trip.
#include "chat/admin/api_error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::admin {

inline constexpr std::size_t kMaxDisplayNameChars = 128;  // the schema's CHECK
inline constexpr std::size_t kMaxTitleChars = 128;
inline constexpr std::size_t kMinPasswordBytes = 8;
inline constexpr std::size_t kMaxPasswordBytes = 1024;
// Deleted accounts are renamed deleted.<id>: nobody else may take such a name.
inline constexpr std::string_view kDeletedUsernamePrefix = "deleted.";

// Well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;
// Code points of well-formed UTF-8.
std::size_t utf8_length(std::string_view text) noexcept;

// Folds to lower case, then ^[a-z0-9_.]{3,32}$ and not deleted.<...>.
std::string normalize_username(std::string_view username, std::string_view field = "username");
// E.164: ^\+[1-9][0-9]{6,14}$.
void validate_phone(std::string_view phone, std::string_view field = "phone");
// UTF-8, at most 128 characters, no control characters.
void validate_display_name(std::string_view name, std::string_view field = "display_name");
// A group's title: 1 to 128 characters, no control characters.
void validate_title(std::string_view title, std::string_view field = "title");
// 8 to 1024 bytes of UTF-8, no NUL, and not shaped like a sign-in token (the
// broker checks such a password as a token only).
void validate_password(std::string_view password, std::string_view field = "password");
// ^[A-Za-z0-9_-]{1,32}$
void validate_device(std::string_view device, std::string_view field = "device");
// Search prefixes: 1 to 32 of [a-z0-9_.] (folded), or '+' and up to 15 digits.
std::string normalize_username_prefix(std::string_view prefix, std::string_view field = "username_prefix");
void validate_phone_prefix(std::string_view prefix, std::string_view field = "phone_prefix");

// The contract's id (chat::protocol::parse_id: positive decimal, no sign or
// leading zero, at most INT64_MAX); throws bad_request naming the field otherwise.
std::int64_t parse_id(std::string_view text, std::string_view field);
// The id in a URL path: anything but a valid id is "no such thing" (404).
std::int64_t parse_path_id(std::string_view text, std::string_view what);
// A decimal integer in [min, max] (query parameters).
std::int64_t parse_integer(std::string_view text, std::string_view field, std::int64_t min, std::int64_t max);
// true/false/1/0.
bool parse_bool(std::string_view text, std::string_view field);

}  // namespace chat::admin
