#pragma once
// What the broker's auth plugin reads from the database (Store methods in
// store.hpp, "auth plugin" section): credentials for a password sign-in, the
// snapshot its in-memory cache starts from, and the change notifications that
// keep that cache current (storage/migrations/0002_auth.sql says which).
#include "chat/storage/types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chat::storage {

// The LISTEN channel the 0002_auth triggers notify.
inline constexpr std::string_view kAuthChangesChannel = "chat_auth";

// The one row a password sign-in needs. Kept apart from User on purpose: a
// password hash must never travel with a user record.
struct UserCredentials {
  UserId id = 0;
  std::optional<std::string> password_hash;  // PHC string; none: no password sign-in
  bool disabled = false;
};

// Everything the plugin's cache holds, read in one consistent transaction.
struct AuthSnapshot {
  // (chat, member) of every live (not deleted) group chat, ordered by chat.
  std::vector<std::pair<ChatId, UserId>> group_members;
  // Users who may not sign in: disabled, or deleted (their ids are never reused).
  std::vector<UserId> refused_users;
};

// A NOTIFY received on a LISTENing connection.
struct Notification {
  std::string channel;
  std::string payload;
};

}  // namespace chat::storage
