#include "chat/credentials/password.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <stdexcept>

namespace chat::credentials {
namespace {

constexpr std::string_view kPrefix = "$pbkdf2-sha512$i=";
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool derive(std::string_view password, const std::vector<unsigned char>& salt, int iterations, unsigned char* out,
            std::size_t out_size) noexcept {
  return PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                           static_cast<int>(salt.size()), iterations, EVP_sha512(), static_cast<int>(out_size),
                           out) == 1;
}

}  // namespace

std::string base64_encode_unpadded(const unsigned char* data, std::size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const unsigned v = (unsigned{data[i]} << 16) | (unsigned{data[i + 1]} << 8) | data[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (size - i == 1) {
    const unsigned v = unsigned{data[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (size - i == 2) {
    const unsigned v = (unsigned{data[i]} << 16) | (unsigned{data[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::vector<unsigned char>> base64_decode_unpadded(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::vector<unsigned char> out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = base64_value(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<unsigned char>((buffer >> bits) & 0xFF));
    }
  }
  // Leftover bits must be zero: one encoding per byte string.
  if ((buffer & ((1U << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::optional<PasswordHash> parse_password_hash(std::string_view encoded) {
  if (!encoded.starts_with(kPrefix)) return std::nullopt;
  std::string_view rest = encoded.substr(kPrefix.size());
  const auto dollar = rest.find('$');
  if (dollar == std::string_view::npos) return std::nullopt;
  const std::string_view count = rest.substr(0, dollar);
  rest.remove_prefix(dollar + 1);
  const auto dollar2 = rest.find('$');
  if (dollar2 == std::string_view::npos) return std::nullopt;
  const std::string_view salt_text = rest.substr(0, dollar2);
  const std::string_view hash_text = rest.substr(dollar2 + 1);

  PasswordHash hash;
  if (count.empty() || count.size() > 9 || count.front() == '0') return std::nullopt;
  const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), hash.iterations);
  if (ec != std::errc{} || end != count.data() + count.size()) return std::nullopt;
  if (hash.iterations < kMinPbkdf2Iterations || hash.iterations > kMaxPbkdf2Iterations) return std::nullopt;

  auto salt = base64_decode_unpadded(salt_text);
  auto derived = base64_decode_unpadded(hash_text);
  if (!salt || !derived) return std::nullopt;
  if (salt->size() < 8 || salt->size() > 64 || derived->size() < 16 || derived->size() > 64) {
    return std::nullopt;
  }
  hash.salt = std::move(*salt);
  hash.hash = std::move(*derived);
  return hash;
}

std::string format_password_hash(const PasswordHash& hash) {
  return std::string(kPrefix) + std::to_string(hash.iterations) + "$" +
         base64_encode_unpadded(hash.salt.data(), hash.salt.size()) + "$" +
         base64_encode_unpadded(hash.hash.data(), hash.hash.size());
}

std::string hash_password(std::string_view password, int iterations) {
  if (iterations < kMinPbkdf2Iterations || iterations > kMaxPbkdf2Iterations) {
    throw std::invalid_argument("PBKDF2 iteration count out of bounds: " + std::to_string(iterations));
  }
  PasswordHash hash;
  hash.iterations = iterations;
  hash.salt.resize(kSaltBytes);
  hash.hash.resize(kHashBytes);
  if (RAND_bytes(hash.salt.data(), static_cast<int>(hash.salt.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  if (!derive(password, hash.salt, iterations, hash.hash.data(), hash.hash.size())) {
    throw std::runtime_error("PKCS5_PBKDF2_HMAC failed");
  }
  return format_password_hash(hash);
}

bool verify_password(std::string_view password, std::string_view encoded) noexcept {
  try {
    const auto hash = parse_password_hash(encoded);
    if (!hash) return false;
    std::array<unsigned char, 64> derived{};
    if (!derive(password, hash->salt, hash->iterations, derived.data(), hash->hash.size())) return false;
    return CRYPTO_memcmp(derived.data(), hash->hash.data(), hash->hash.size()) == 0;
  } catch (...) {
    return false;
  }
}

}  // namespace chat::credentials
