#include "chat/protocol/identifiers.hpp"

#include <algorithm>
#include <cstdint>

namespace chat::protocol {
namespace {

// Character classes by hand rather than <cctype>, whose answers depend on the
// process locale, or std::regex, which is slow for this.
constexpr bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr bool is_username_char(char c) { return is_lower(c) || is_digit(c) || c == '_' || c == '.'; }

template <class Pred>
bool all_of_length(std::string_view text, std::size_t min, std::size_t max, Pred pred) noexcept {
  return text.size() >= min && text.size() <= max && std::all_of(text.begin(), text.end(), pred);
}

}  // namespace

bool is_token_char(char c) noexcept { return is_lower(c) || is_upper(c) || is_digit(c) || c == '_' || c == '-'; }

std::optional<Id> parse_id(std::string_view text) noexcept {
  if (text.empty() || text.size() > kMaxIdDigits || text.front() == '0') return std::nullopt;
  std::uint64_t value = 0;  // 19 digits cannot overflow 64 unsigned bits
  for (const char c : text) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<Id>(value);
}

bool is_valid_device(std::string_view device) noexcept {
  return all_of_length(device, 1, kMaxDeviceBytes, is_token_char);
}

bool is_valid_message_id(std::string_view id) noexcept {
  return all_of_length(id, 1, kMaxMessageIdBytes, is_token_char);
}

bool is_valid_media_id(std::string_view id) noexcept { return is_valid_message_id(id); }

std::string fold_username(std::string_view username) {
  std::string folded(username);
  for (char& c : folded) {
    if (is_upper(c)) c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

bool is_valid_username(std::string_view username) noexcept {
  return all_of_length(username, kMinUsernameBytes, kMaxUsernameBytes, is_username_char);
}

bool is_valid_username_prefix(std::string_view prefix) noexcept {
  return all_of_length(prefix, 1, kMaxUsernameBytes, is_username_char);
}

std::optional<std::string> canonical_username(std::string_view username) {
  if (username.size() > kMaxUsernameBytes) return std::nullopt;  // before folding a huge name
  std::string folded = fold_username(username);
  if (!is_valid_username(folded)) return std::nullopt;
  return folded;
}

bool is_valid_phone(std::string_view phone) noexcept {
  // '+', a non-zero digit, then 6 to 14 digits: 8 to 16 characters in all.
  if (phone.size() < 8 || phone.size() > 16) return false;
  if (phone[0] != '+' || phone[1] < '1' || phone[1] > '9') return false;
  return std::all_of(phone.begin() + 2, phone.end(), is_digit);
}

bool is_safe_identifier(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F || c == '+' || c == '#' || c == '/') return false;
  }
  return true;
}

std::optional<ClientId> parse_client_id(std::string_view client_id) noexcept {
  const auto colon = client_id.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view uid_text = client_id.substr(0, colon);
  const std::string_view device = client_id.substr(colon + 1);
  const auto uid = parse_id(uid_text);
  if (!uid || !is_valid_device(device)) return std::nullopt;
  return ClientId{*uid, uid_text, device};
}

}  // namespace chat::protocol
