#include "chat/admin/validation.hpp"

#include "chat/credentials/token.hpp"
#include "chat/protocol/identifiers.hpp"

#include <algorithm>
#include <charconv>

namespace chat::admin {
namespace {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Decodes one code point at `i` (advancing it); nullopt for malformed input.
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  std::size_t extra = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    extra = 1;
    cp = lead & 0x1Fu;
    min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2;
    cp = lead & 0x0Fu;
    min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3;
    cp = lead & 0x07u;
    min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (i + extra >= text.size()) return std::nullopt;  // truncated
  for (std::size_t k = 1; k <= extra; ++k) {
    const unsigned char next = byte(i + k);
    if ((next & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (next & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += extra + 1;
  return cp;
}

// Text for people: valid UTF-8, at most `max_chars` code points, no C0/C1
// control characters (a line break in a name only ever breaks someone's UI).
void validate_text(std::string_view text, std::string_view field, std::size_t min_chars, std::size_t max_chars) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto cp = next_code_point(text, i);
    if (!cp) throw bad_request(field, "must be valid UTF-8");
    if (*cp < 0x20 || (*cp >= 0x7F && *cp <= 0x9F)) throw bad_request(field, "must not contain control characters");
    ++count;
  }
  if (count < min_chars) throw bad_request(field, "must not be empty");
  if (count > max_chars) throw bad_request(field, "at most " + std::to_string(max_chars) + " characters");
}

}  // namespace

bool is_valid_utf8(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size();) {
    if (!next_code_point(text, i)) return false;
  }
  return true;
}

std::size_t utf8_length(std::string_view text) noexcept {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++count) {
    if (!next_code_point(text, i)) ++i;
  }
  return count;
}

std::string normalize_username(std::string_view username, std::string_view field) {
  std::string folded = protocol::fold_username(username);
  if (!protocol::is_valid_username(folded)) {
    throw bad_request(field, "must be 3 to 32 of a-z 0-9 _ . (^[a-z0-9_.]{3,32}$, folded to lower case)");
  }
  if (folded.rfind(kDeletedUsernamePrefix, 0) == 0) {
    throw bad_request(field, "names starting with \"deleted.\" are reserved for deleted accounts");
  }
  return folded;
}

void validate_phone(std::string_view phone, std::string_view field) {
  if (!protocol::is_valid_phone(phone)) {
    throw bad_request(field, "must be an E.164 number: + then 7 to 15 digits, not starting with 0");
  }
}

void validate_display_name(std::string_view name, std::string_view field) {
  validate_text(name, field, 0, kMaxDisplayNameChars);
}

void validate_title(std::string_view title, std::string_view field) { validate_text(title, field, 1, kMaxTitleChars); }

void validate_password(std::string_view password, std::string_view field) {
  if (password.size() < kMinPasswordBytes) {
    throw bad_request(field, "at least " + std::to_string(kMinPasswordBytes) + " bytes");
  }
  if (password.size() > kMaxPasswordBytes) {
    throw bad_request(field, "at most " + std::to_string(kMaxPasswordBytes) + " bytes");
  }
  if (!is_valid_utf8(password)) throw bad_request(field, "must be valid UTF-8");
  if (password.find('\0') != std::string_view::npos) throw bad_request(field, "must not contain NUL");
  if (credentials::looks_like_token(password)) {
    throw bad_request(field, "must not have the shape of a sign-in token (the broker would check it as one)");
  }
}

void validate_device(std::string_view device, std::string_view field) {
  if (!protocol::is_valid_device(device)) throw bad_request(field, "must be 1 to 32 of A-Z a-z 0-9 _ -");
}

std::string normalize_username_prefix(std::string_view prefix, std::string_view field) {
  std::string folded = protocol::fold_username(prefix);
  if (!protocol::is_valid_username_prefix(folded)) {
    throw bad_request(field, "must be 1 to " + std::to_string(protocol::kMaxUsernameBytes) + " of a-z 0-9 _ .");
  }
  return folded;
}

void validate_phone_prefix(std::string_view prefix, std::string_view field) {
  if (prefix.empty() || prefix.size() > 16 || prefix[0] != '+' ||
      !std::all_of(prefix.begin() + 1, prefix.end(), is_digit)) {
    throw bad_request(field, "must be + and up to 15 digits");
  }
}

std::int64_t parse_id(std::string_view text, std::string_view field) {
  const auto id = protocol::parse_id(text);
  if (!id) throw bad_request(field, "must be a positive integer id (decimal, no sign or leading zero)");
  return *id;
}

std::int64_t parse_path_id(std::string_view text, std::string_view what) {
  try {
    return parse_id(text, what);
  } catch (const ApiError&) {
    throw not_found(std::string(what) + " " + std::string(text) + " does not exist");
  }
}

std::int64_t parse_integer(std::string_view text, std::string_view field, std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw bad_request(field, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

bool parse_bool(std::string_view text, std::string_view field) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  throw bad_request(field, "must be true or false");
}

}  // namespace chat::admin
