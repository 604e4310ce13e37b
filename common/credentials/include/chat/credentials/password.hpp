#pragma once
// Password hashing of the platform: PBKDF2-HMAC-SHA512 (OpenSSL's
// PKCS5_PBKDF2_HMAC) with a random 16-byte salt and a 64-byte result, stored
// as a PHC-style string:
//
//   $pbkdf2-sha512$i=<iterations>$<salt, base64 without padding>$<hash, base64 without padding>
//
// The iteration count travels in the string, so it can be raised for new
// hashes without invalidating old ones. The default follows OWASP's 2023
// advice for PBKDF2-HMAC-SHA512 (210 000); on this class of machine one
// verification costs about 0.2 s of one core, which is why the broker plugin
// remembers verified passwords and mobile clients sign in with tokens.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::credentials {

inline constexpr int kDefaultPbkdf2Iterations = 210000;
// Bounds of what hash_password makes and verify_password accepts. The lower
// bound only keeps nonsense out (tests use cheap hashes); production hashes
// use the default.
inline constexpr int kMinPbkdf2Iterations = 1000;
inline constexpr int kMaxPbkdf2Iterations = 10000000;
inline constexpr std::size_t kSaltBytes = 16;
inline constexpr std::size_t kHashBytes = 64;

struct PasswordHash {
  int iterations = 0;
  std::vector<unsigned char> salt;
  std::vector<unsigned char> hash;
};

// The parts of a hash string; nullopt when it is not exactly the format above
// (other algorithms, bad base64, counts out of bounds, wrong lengths).
std::optional<PasswordHash> parse_password_hash(std::string_view encoded);
std::string format_password_hash(const PasswordHash& hash);

// A new hash with a fresh random salt. Throws std::invalid_argument for an
// iteration count out of bounds, std::runtime_error when OpenSSL fails.
std::string hash_password(std::string_view password, int iterations = kDefaultPbkdf2Iterations);

// True when `password` matches `encoded`; false for a mismatch and for a
// malformed hash. Constant-time comparison (CRYPTO_memcmp). Never throws.
bool verify_password(std::string_view password, std::string_view encoded) noexcept;

// Base64 (RFC 4648 alphabet) without padding, as PHC strings use it.
std::string base64_encode_unpadded(const unsigned char* data, std::size_t size);
std::optional<std::vector<unsigned char>> base64_decode_unpadded(std::string_view text);

}  // namespace chat::credentials
