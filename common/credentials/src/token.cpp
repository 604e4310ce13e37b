#include "chat/credentials/token.hpp"

#include <jwt.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdlib>
#include <limits>
#include <memory>
#include <stdexcept>

namespace chat::credentials {
namespace {

struct JwtDeleter {
  void operator()(jwt_t* jwt) const noexcept { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct MallocDeleter {
  void operator()(char* text) const noexcept { std::free(text); }  // NOLINT: libjwt/jansson allocate with malloc
};
using CString = std::unique_ptr<char, MallocDeleter>;

bool is_base64url(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// A positive decimal id without sign or leading zero that fits int64.
std::optional<std::int64_t> parse_uid(std::string_view text) noexcept {
  if (text.empty() || text.size() > 19 || text.front() == '0') return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

std::optional<std::int64_t> integer_claim(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (it->is_number_unsigned()) {
    const auto value = it->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(value);
  }
  if (it->is_number_integer()) return it->get<std::int64_t>();
  return std::nullopt;
}

}  // namespace

std::string_view to_string(TokenError error) noexcept {
  switch (error) {
    case TokenError::none:
      return "none";
    case TokenError::malformed:
      return "malformed token";
    case TokenError::bad_signature:
      return "token signature not valid";
    case TokenError::wrong_algorithm:
      return "token algorithm is not HS256";
    case TokenError::expired:
      return "token expired";
    case TokenError::not_yet_valid:
      return "token not valid yet";
    case TokenError::bad_claims:
      return "token claims invalid";
  }
  return "unknown";
}

bool looks_like_token(std::string_view password) noexcept {
  // A JWT's header is base64url of a JSON object: it starts with "eyJ" ("{\"").
  if (!password.starts_with("eyJ")) return false;
  int dots = 0;
  for (const char c : password) {
    if (c == '.') {
      ++dots;
    } else if (!is_base64url(c)) {
      return false;
    }
  }
  return dots == 2;
}

TokenCheck verify_token(std::string_view token, std::string_view secret, std::int64_t now) noexcept {
  TokenCheck check;
  try {
    if (token.size() > kMaxTokenBytes || !looks_like_token(token) || secret.empty()) {
      check.error = TokenError::malformed;
      return check;
    }
    const std::string text(token);  // libjwt wants a NUL-terminated string
    jwt_t* raw = nullptr;
    // With a key, libjwt refuses "alg":"none" and checks the signature with
    // the header's algorithm; RS/ES headers fail because the secret is no PEM key.
    const int rc = jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(secret.data()),
                              static_cast<int>(secret.size()));
    const JwtPtr jwt(raw);
    if (rc != 0 || jwt == nullptr) {
      check.error = TokenError::bad_signature;
      return check;
    }
    // Pin the algorithm: a token verified under another HMAC size is still refused.
    if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) {
      check.error = TokenError::wrong_algorithm;
      return check;
    }
    const CString grants(jwt_get_grants_json(jwt.get(), nullptr));
    if (grants == nullptr) {
      check.error = TokenError::malformed;
      return check;
    }
    const auto claims = nlohmann::json::parse(grants.get(), nullptr, /*allow_exceptions=*/false);
    if (!claims.is_object()) {
      check.error = TokenError::malformed;
      return check;
    }
    TokenClaims result;
    const auto sub = claims.find("sub");
    const auto usr = claims.find("usr");
    const auto exp = integer_claim(claims, "exp");
    const auto iat = integer_claim(claims, "iat");
    if (sub == claims.end() || !sub->is_string() || usr == claims.end() || !usr->is_string() || !exp || !iat) {
      check.error = TokenError::bad_claims;
      return check;
    }
    const auto uid = parse_uid(sub->get_ref<const std::string&>());
    if (!uid || usr->get_ref<const std::string&>().empty()) {
      check.error = TokenError::bad_claims;
      return check;
    }
    if (claims.contains("nbf")) {
      const auto nbf = integer_claim(claims, "nbf");
      if (!nbf) {
        check.error = TokenError::bad_claims;
        return check;
      }
      if (*nbf > now) {
        check.error = TokenError::not_yet_valid;
        return check;
      }
    }
    if (*exp <= now) {
      check.error = TokenError::expired;
      return check;
    }
    result.uid = *uid;
    result.username = usr->get<std::string>();
    result.expires_at = *exp;
    result.issued_at = *iat;
    check.claims = std::move(result);
    return check;
  } catch (...) {
    check.claims.reset();
    check.error = TokenError::malformed;
    return check;
  }
}

std::string mint_token(std::string_view secret, std::int64_t uid, std::string_view username, std::int64_t issued_at,
                       std::int64_t expires_at) {
  if (secret.size() < kMinTokenSecretBytes) {
    throw std::invalid_argument("the token secret must have at least " + std::to_string(kMinTokenSecretBytes) +
                                " bytes");
  }
  if (uid <= 0) throw std::invalid_argument("uid must be positive");
  if (username.empty()) throw std::invalid_argument("username must not be empty");
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0 || raw == nullptr) throw std::runtime_error("jwt_new failed");
  const JwtPtr jwt(raw);
  const std::string uid_text = std::to_string(uid);
  const std::string user(username);
  if (jwt_add_grant(jwt.get(), "sub", uid_text.c_str()) != 0 || jwt_add_grant(jwt.get(), "usr", user.c_str()) != 0 ||
      jwt_add_grant_int(jwt.get(), "iat", static_cast<long>(issued_at)) != 0 ||
      jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(expires_at)) != 0) {
    throw std::runtime_error("jwt_add_grant failed");
  }
  if (jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
                  static_cast<int>(secret.size())) != 0) {
    throw std::runtime_error("jwt_set_alg failed");
  }
  const CString encoded(jwt_encode_str(jwt.get()));
  if (encoded == nullptr) throw std::runtime_error("jwt_encode_str failed");
  return std::string(encoded.get());
}

}  // namespace chat::credentials
