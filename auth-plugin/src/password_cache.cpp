#include "password_cache.hpp"

#include <string>

namespace chat::auth {

PasswordCache::PasswordCache(std::int64_t ttl_s, std::size_t max_entries) : ttl_s_(ttl_s), max_entries_(max_entries) {}

std::optional<Uid> PasswordCache::find(std::string_view username, std::string_view password, std::int64_t now_s) const {
  if (ttl_s_ <= 0 || max_entries_ == 0) return std::nullopt;
  const auto it = entries_.find(std::string(username));
  if (it == entries_.end() || it->second.expires_at <= now_s) return std::nullopt;
  if (!same_digest(digest_(username, password), it->second.digest)) return std::nullopt;
  return it->second.uid;
}

void PasswordCache::make_room(std::int64_t now_s) {
  if (entries_.size() < max_entries_) return;
  std::erase_if(entries_, [now_s](const auto& entry) { return entry.second.expires_at <= now_s; });
  // Still full of live entries: start over rather than scan for the oldest.
  // A forgotten entry only costs that user one more full verification.
  if (entries_.size() >= max_entries_) entries_.clear();
}

void PasswordCache::remember(std::string_view username, std::string_view password, Uid uid, std::int64_t now_s) {
  if (ttl_s_ <= 0 || max_entries_ == 0) return;
  const CredentialDigest d = digest_(username, password);
  if (entries_.find(std::string(username)) == entries_.end()) make_room(now_s);
  entries_[std::string(username)] = Entry{d, uid, now_s + ttl_s_};
}

void PasswordCache::forget_user(Uid uid) {
  std::erase_if(entries_, [uid](const auto& entry) { return entry.second.uid == uid; });
}

void PasswordCache::forget(std::string_view username) { entries_.erase(std::string(username)); }

}  // namespace chat::auth
