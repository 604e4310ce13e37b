#pragma once
// What the broker's auth plugin reads from the database (AuthStore,
// auth_store.hpp): credentials for a password sign-in, the
// snapshot its in-memory cache starts from, and the change notifications that
// keep that cache current (storage/migrations/0002_auth.sql says which).
#include "chat/storage/types.hpp"

#include <cstdint>
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

// What a sign-in token's account must still be for the token to count
// (chat-admin's Bearer check; the plugin holds the same facts in memory).
struct TokenHolder {
  UserId id = 0;
  std::string username;  // current (folded) name: a token names the one it was minted for
  bool disabled = false;
  bool deleted = false;
  // Tokens issued (iat, seconds) before this are void; 0 when never revoked
  // (migration 0006: password changes, disabling, "sign out everywhere").
  std::int64_t tokens_not_before_s = 0;

  bool revokes(std::int64_t issued_at_s) const { return issued_at_s < tokens_not_before_s; }
};

// A user who may not sign in, with the name its clients signed in under
// (the plugin disconnects them by that name).
struct RefusedUser {
  UserId id = 0;
  std::string username;
  bool operator==(const RefusedUser&) const = default;
};

// Everything the plugin's cache holds, read in one consistent transaction.
struct AuthSnapshot {
  // (chat, member) of every live (not deleted) group chat, ordered by chat.
  std::vector<std::pair<ChatId, UserId>> group_members;
  // Users who may not sign in: disabled, or deleted (their ids are never reused).
  std::vector<RefusedUser> refused_users;
  // (user, seconds since the epoch): its tokens issued earlier are void.
  std::vector<std::pair<UserId, std::int64_t>> token_floors;
  // (blocker, blocked) of every block (migration 0009).
  std::vector<std::pair<UserId, UserId>> blocks;
};

// A NOTIFY received on a LISTENing connection.
struct Notification {
  std::string channel;
  std::string payload;
};

}  // namespace chat::storage
