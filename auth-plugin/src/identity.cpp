#include "identity.hpp"

#include "chat/storage/identifiers.hpp"

#include <charconv>

namespace chat::auth {

std::optional<std::int64_t> parse_id(std::string_view text) noexcept {
  if (text.empty() || text.size() > 19 || text.front() < '1' || text.front() > '9') return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool is_safe_identifier(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F || c == '+' || c == '#' || c == '/') return false;
  }
  return true;
}

bool is_valid_device(std::string_view device) noexcept { return storage::is_valid_device_id(device); }

bool is_valid_message_id(std::string_view id) noexcept { return storage::is_valid_client_msg_id(id); }

std::optional<ClientId> parse_client_id(std::string_view client_id) noexcept {
  const auto colon = client_id.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view uid_text = client_id.substr(0, colon);
  const std::string_view device = client_id.substr(colon + 1);
  const auto uid = parse_id(uid_text);
  if (!uid || !is_valid_device(device)) return std::nullopt;
  return ClientId{*uid, uid_text, device};
}

std::optional<std::string> canonical_username(std::string_view username) {
  if (username.size() > 32) return std::nullopt;
  std::string folded = storage::fold_username(username);
  if (!storage::is_valid_username(folded)) return std::nullopt;
  return folded;
}

}  // namespace chat::auth
