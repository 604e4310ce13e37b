#pragma once
// HMAC-SHA256(k, username NUL password) under a key k drawn at random when
// the digester is made: a way to recognise a (username, password) pair again
// without keeping the password, worthless outside this process and across
// restarts. The password cache and the password verifier key their entries
// by it.
#include <array>
#include <string_view>

namespace chat::auth {

using CredentialDigest = std::array<unsigned char, 32>;

class CredentialDigester {
 public:
  // Throws std::runtime_error when no random key can be drawn.
  CredentialDigester();
  // Throws std::runtime_error when OpenSSL fails.
  CredentialDigest operator()(std::string_view username, std::string_view password) const;

 private:
  std::array<unsigned char, 32> key_{};
};

// Constant time, so a comparison tells nothing about where digests differ.
bool same_digest(const CredentialDigest& a, const CredentialDigest& b) noexcept;

}  // namespace chat::auth
