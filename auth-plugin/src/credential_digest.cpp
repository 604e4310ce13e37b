#include "credential_digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <string>

namespace chat::auth {

CredentialDigester::CredentialDigester() {
  if (RAND_bytes(key_.data(), static_cast<int>(key_.size())) != 1) throw std::runtime_error("RAND_bytes failed");
}

CredentialDigest CredentialDigester::operator()(std::string_view username, std::string_view password) const {
  std::string input;
  input.reserve(username.size() + 1 + password.size());
  input.append(username);
  input.push_back('\0');
  input.append(password);
  CredentialDigest out{};
  unsigned int length = 0;
  const bool ok =
      HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), out.data(), &length) != nullptr &&
      length == out.size();
  OPENSSL_cleanse(input.data(), input.size());
  if (!ok) throw std::runtime_error("HMAC failed");
  return out;
}

bool same_digest(const CredentialDigest& a, const CredentialDigest& b) noexcept {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace chat::auth
