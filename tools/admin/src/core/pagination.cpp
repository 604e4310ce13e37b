#include "chat/admin/pagination.hpp"

#include "chat/admin/validation.hpp"

#include <array>

namespace chat::admin {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

int parse_limit(std::optional<std::string_view> text) {
  if (!text) return kDefaultPageLimit;
  return static_cast<int>(parse_integer(*text, "limit", 1, kMaxPageLimit));
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3Fu]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3Fu]);
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = decode_char(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFFu));
    }
  }
  // Leftover bits must be zero: one text, one encoding.
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string encode_cursor(std::string_view list, std::string_view key) {
  std::string plain(list);
  plain += ':';
  plain += key;
  return base64url_encode(plain);
}

std::string decode_cursor(std::string_view cursor, std::string_view list) {
  if (cursor.size() > 512) throw bad_request("cursor", "is not a cursor of this list");
  const auto plain = base64url_decode(cursor);
  if (!plain || plain->size() <= list.size() || plain->compare(0, list.size(), list) != 0 ||
      (*plain)[list.size()] != ':') {
    throw bad_request("cursor", "is not a cursor of this list");
  }
  return plain->substr(list.size() + 1);
}

std::int64_t decode_integer_cursor(std::string_view cursor, std::string_view list) {
  const std::string key = decode_cursor(cursor, list);
  try {
    return parse_integer(key, "cursor", 0, INT64_MAX);
  } catch (const ApiError&) {
    throw bad_request("cursor", "is not a cursor of this list");
  }
}

}  // namespace chat::admin
