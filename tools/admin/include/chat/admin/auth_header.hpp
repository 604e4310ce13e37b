#pragma once
// The Authorization header's two schemes the API accepts: `Bearer <token>`
// (the admin token on /v1/admin, a user's sign-in token on /v1/media) and
// `Basic base64(username:password)` (a user's password, on /v1/media only).
#include <optional>
#include <string>
#include <string_view>

namespace chat::admin {

// The token of a Bearer header (scheme case-insensitive); nullopt otherwise.
std::optional<std::string_view> bearer_token(std::string_view authorization) noexcept;

struct BasicCredentials {
  std::string username;
  std::string password;
};

// The credentials of a Basic header; nullopt when it is not one or is malformed.
std::optional<BasicCredentials> basic_credentials(std::string_view authorization);

}  // namespace chat::admin
