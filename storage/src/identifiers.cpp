#include "chat/storage/identifiers.hpp"

#include <algorithm>

namespace chat::storage {
namespace {

// Character classes by hand rather than <cctype>, whose answers depend on the
// process locale, or std::regex, which is slow for this.
constexpr bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr bool is_token_char(char c) {
  return is_lower(c) || is_upper(c) || is_digit(c) || c == '_' || c == '-';
}

template <class Pred>
bool all_of_length(std::string_view text, std::size_t min, std::size_t max, Pred pred) {
  return text.size() >= min && text.size() <= max && std::all_of(text.begin(), text.end(), pred);
}

}  // namespace

std::string fold_username(std::string_view username) {
  std::string folded(username);
  for (char& c : folded) {
    if (is_upper(c)) c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

bool is_valid_username(std::string_view username) {
  return all_of_length(username, 3, 32,
                       [](char c) { return is_lower(c) || is_digit(c) || c == '_' || c == '.'; });
}

bool is_valid_phone(std::string_view phone) {
  // '+', a non-zero digit, then 6 to 14 digits: 8 to 16 characters in all.
  if (phone.size() < 8 || phone.size() > 16) return false;
  if (phone[0] != '+' || phone[1] < '1' || phone[1] > '9') return false;
  return std::all_of(phone.begin() + 2, phone.end(), is_digit);
}

bool is_valid_device_id(std::string_view device_id) {
  return all_of_length(device_id, 1, 32, is_token_char);
}

bool is_valid_client_msg_id(std::string_view client_id) {
  return all_of_length(client_id, 1, 64, is_token_char);
}

}  // namespace chat::storage
