#pragma once
// Passwords already verified, so that a reconnect costs one HMAC instead of a
// database query and a PBKDF2 run (about 0.2 s of the broker's only thread).
//
// Keyed by username; an entry holds the pair's CredentialDigest (a keyed
// HMAC, worthless outside this process), the user id and an expiry. A different password, an expired entry or a
// forgotten user is a miss: the caller verifies against the database again. Broker thread only.
#include "credential_digest.hpp"
#include "identity.hpp"

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
  void forget_user(Uid uid);  // password changed, user disabled, ...
  void forget(std::string_view username);
  void clear() { entries_.clear(); }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    CredentialDigest digest{};
    Uid uid = 0;
    std::int64_t expires_at = 0;
  };
  void make_room(std::int64_t now_s);

  CredentialDigester digest_;
  std::int64_t ttl_s_;
  std::size_t max_entries_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace chat::auth
