#include "chat/admin/auth_header.hpp"

#include "chat/credentials/password.hpp"

namespace chat::admin {
namespace {

// The parameter after `scheme` and spaces, when the header uses that scheme.
std::optional<std::string_view> after_scheme(std::string_view header, std::string_view scheme) noexcept {
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    char c = header[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != scheme[i]) return std::nullopt;
  }
  std::string_view rest = header.substr(scheme.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (rest.empty() || rest.find(' ') != std::string_view::npos) return std::nullopt;
  return rest;
}

}  // namespace

std::optional<std::string_view> bearer_token(std::string_view authorization) noexcept {
  return after_scheme(authorization, "bearer");
}

std::optional<BasicCredentials> basic_credentials(std::string_view authorization) {
  auto encoded = after_scheme(authorization, "basic");
  if (!encoded || encoded->size() > 4096) return std::nullopt;
  std::string_view text = *encoded;
  if (text.size() % 4 != 0) return std::nullopt;
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (encoded->size() - text.size() > 2) return std::nullopt;
  const auto decoded = credentials::base64_decode_unpadded(text);
  if (!decoded) return std::nullopt;
  const std::string plain(decoded->begin(), decoded->end());
  const auto colon = plain.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  return BasicCredentials{plain.substr(0, colon), plain.substr(colon + 1)};
}

}  // namespace chat::admin
