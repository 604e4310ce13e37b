#pragma once
// Tokens an attacker can make without the platform's secret, or with the
// right secret but the wrong shape: JWTs built by hand (any header, any
// claims, signed with any HMAC or not at all).
#include <cstdint>
#include <string>

namespace chat::hostile {

std::string base64url(const std::string& bytes);

// header.claims.signature with the signature HMAC-`bits` (256, 384, 512) of
// `secret`, or "" when bits is 0 (alg none).
std::string hand_made_jwt(const std::string& header_json, const std::string& claims_json, const std::string& secret,
                          int bits);

// The claims the plugin expects, for a uid and username, expiring at `exp`.
std::string claims(std::int64_t uid, const std::string& username, std::int64_t exp);

std::int64_t unix_now_s();

}  // namespace chat::hostile
