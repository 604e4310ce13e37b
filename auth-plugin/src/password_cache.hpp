#pragma once
// Passwords already verified, so that a reconnect costs one HMAC instead of a
// database query and a PBKDF2 run (about 0.2 s of the broker's only thread).
//
// Keyed by username; an entry holds HMAC-SHA256(k, username NUL password)
// under a key k drawn at random when the cache is made (so the digests are
// worthless outside this process and across restarts), the user id and an
// expiry. A different password, an expired entry or a forgotten user is a
// miss: the caller verifies against the database again. Broker thread only.
#include "identity.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chat::auth {

class PasswordCache {
 public:
  // Throws std::runtime_error when no random key can be drawn.
  PasswordCache(std::int64_t ttl_s, std::size_t max_entries);

  // The uid remembered for (username, password), when it is fresh.
  std::optional<Uid> find(std::string_view username, std::string_view password, std::int64_t now_s) const;
  void remember(std::string_view username, std::string_view password, Uid uid, std::int64_t now_s);
  void forget_user(Uid uid);            // password changed, user disabled, ...
  void forget(std::string_view username);
  void clear() { entries_.clear(); }
  std::size_t size() const { return entries_.size(); }

 private:
  using Digest = std::array<unsigned char, 32>;
  struct Entry {
    Digest digest{};
    Uid uid = 0;
    std::int64_t expires_at = 0;
  };
  Digest digest(std::string_view username, std::string_view password) const;
  void make_room(std::int64_t now_s);

  std::array<unsigned char, 32> key_{};
  std::int64_t ttl_s_;
  std::size_t max_entries_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace chat::auth
