#pragma once
// Sign-in tokens of the platform: JSON Web Tokens signed with HMAC-SHA256
// (HS256) under one shared secret, minted by the admin tools and checked by
// the broker's auth plugin (docs/protocol.md, section 1).
//
// Claims:
//   sub  the user id, a decimal string ("42")                        required
//   usr  the username the token was minted for (folded)              required
//   exp  expiry, seconds since the Unix epoch (integer)              required
//   iat  issue time (integer)                                        required (revocation compares it)
//   nbf  not before (integer)                                        optional
//
// Verification is libjwt's (signature and encoding) plus pinning: the header's
// algorithm must be HS256 (so "alg": "none", RS256/ES256 headers and other
// HMAC sizes are refused), and the claims must have exactly the types above.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::credentials {

// The shortest secret accepted: HS256 wants at least the hash's 32 bytes.
inline constexpr std::size_t kMinTokenSecretBytes = 32;
// Longer "tokens" are refused before any parsing.
inline constexpr std::size_t kMaxTokenBytes = 4096;

struct TokenClaims {
  std::int64_t uid = 0;
  std::string username;
  std::int64_t expires_at = 0;  // seconds since the epoch
  std::int64_t issued_at = 0;   // iat
};

enum class TokenError {
  none,
  malformed,        // not a JWT, bad encoding, bad JSON, or too long
  bad_signature,    // libjwt refused it: wrong key, forged, alg none, or an algorithm the key cannot verify
  wrong_algorithm,  // verified, but not HS256 (e.g. HS512 under the same secret)
  expired,          // exp <= now
  not_yet_valid,    // nbf > now
  bad_claims,       // sub/usr/exp/iat missing or of the wrong type or value
};

std::string_view to_string(TokenError error) noexcept;

struct TokenCheck {
  std::optional<TokenClaims> claims;  // set only when error == none
  TokenError error = TokenError::none;
  bool ok() const { return error == TokenError::none; }
};

// Verifies `token` under `secret` at time `now` (seconds since the epoch).
// Never throws.
TokenCheck verify_token(std::string_view token, std::string_view secret, std::int64_t now) noexcept;

// A token for (uid, username) valid from `issued_at` until `expires_at`.
// Throws std::invalid_argument for a short secret, a non-positive uid or an
// empty username, std::runtime_error when libjwt fails.
std::string mint_token(std::string_view secret, std::int64_t uid, std::string_view username, std::int64_t issued_at,
                       std::int64_t expires_at);

// True when a CONNECT password has the shape of a JWT (three base64url parts,
// the first one starting like a JSON object): such a password is checked as a
// token only, never as a password. Passwords of that shape cannot be set.
bool looks_like_token(std::string_view password) noexcept;

}  // namespace chat::credentials
