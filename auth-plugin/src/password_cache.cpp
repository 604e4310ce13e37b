#include "password_cache.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <string>

namespace chat::auth {

PasswordCache::PasswordCache(std::int64_t ttl_s, std::size_t max_entries)
    : ttl_s_(ttl_s), max_entries_(max_entries) {
  if (RAND_bytes(key_.data(), static_cast<int>(key_.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
}

PasswordCache::Digest PasswordCache::digest(std::string_view username, std::string_view password) const {
  std::string input;
  input.reserve(username.size() + 1 + password.size());
  input.append(username);
  input.push_back('\0');
  input.append(password);
  Digest out{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), out.data(), &length) == nullptr ||
      length != out.size()) {
    throw std::runtime_error("HMAC failed");
  }
  OPENSSL_cleanse(input.data(), input.size());
  return out;
}

std::optional<Uid> PasswordCache::find(std::string_view username, std::string_view password,
                                       std::int64_t now_s) const {
  if (ttl_s_ <= 0 || max_entries_ == 0) return std::nullopt;
  const auto it = entries_.find(std::string(username));
  if (it == entries_.end() || it->second.expires_at <= now_s) return std::nullopt;
  const Digest candidate = digest(username, password);
  if (CRYPTO_memcmp(candidate.data(), it->second.digest.data(), candidate.size()) != 0) return std::nullopt;
  return it->second.uid;
}

void PasswordCache::make_room(std::int64_t now_s) {
  if (entries_.size() < max_entries_) return;
  std::erase_if(entries_, [now_s](const auto& entry) { return entry.second.expires_at <= now_s; });
  // Still full of live entries: start over rather than scan for the oldest.
  // A forgotten entry only costs that user one more full verification.
  if (entries_.size() >= max_entries_) entries_.clear();
}

void PasswordCache::remember(std::string_view username, std::string_view password, Uid uid,
                             std::int64_t now_s) {
  if (ttl_s_ <= 0 || max_entries_ == 0) return;
  const Digest d = digest(username, password);
  if (entries_.find(std::string(username)) == entries_.end()) make_room(now_s);
  entries_[std::string(username)] = Entry{d, uid, now_s + ttl_s_};
}

void PasswordCache::forget_user(Uid uid) {
  std::erase_if(entries_, [uid](const auto& entry) { return entry.second.uid == uid; });
}

void PasswordCache::forget(std::string_view username) { entries_.erase(std::string(username)); }

}  // namespace chat::auth
