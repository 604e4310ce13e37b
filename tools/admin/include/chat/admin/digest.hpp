#pragma once
// SHA-256 (OpenSSL EVP) and the constant-time comparison of secrets.
#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace chat::admin {

// True when a == b, in time independent of where they differ and of their
// lengths: both are hashed first and the digests compared with CRYPTO_memcmp.
// For the admin token, which is compared with what every request presents.
bool secure_equals(std::string_view a, std::string_view b) noexcept;

// Incremental SHA-256, for hashing an upload while it streams to disk.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t size);
  // The digest; the object may not be updated afterwards.
  std::array<unsigned char, 32> finish();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

std::array<unsigned char, 32> sha256(std::string_view data);
std::string to_hex(const std::array<unsigned char, 32>& digest);

}  // namespace chat::admin
