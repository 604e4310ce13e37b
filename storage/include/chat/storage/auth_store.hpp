#pragma once
// What the broker's auth plugin and chat-admin's user sign-in read (records
// in auth.hpp): credentials for a password sign-in, a token's account, the
// snapshot of the plugin's membership cache, and LISTEN/NOTIFY to keep that
// cache current.
#include "chat/storage/auth.hpp"
#include "chat/storage/connection.hpp"
#include "chat/storage/types.hpp"

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

namespace chat::storage {

class AuthStore {
 public:
  explicit AuthStore(Connection& connection) noexcept : connection_(connection) {}

  // id, password hash and disabled flag of a username (folded first); one
  // index lookup. nullopt when there is no such user.
  std::optional<UserCredentials> find_credentials(std::string_view username);
  // Name, state and token floor of a token's account: one primary-key probe,
  // so checking a token's revocation costs no extra round trip over the
  // account look-up a token check needs anyway. nullopt when there is no such user.
  std::optional<TokenHolder> find_token_holder(UserId id);
  // Live group memberships and refused users, in one REPEATABLE READ transaction.
  AuthSnapshot load_snapshot();
  // The members of a live group; empty for a deleted, direct or unknown chat.
  std::vector<UserId> live_group_members(ChatId chat);
  // LISTEN on kAuthChangesChannel. A listen lasts as long as the session: after
  // a DbError{connection_lost} the caller listens again (and reloads what it
  // follows, since notifications sent meanwhile are lost).
  void listen_for_changes();
  // The notifications received so far, or else those arriving within `timeout`
  // (empty when none did). Throws DbError{connection_lost} when the session died.
  std::vector<Notification> wait_for_notifications(std::chrono::milliseconds timeout);

 private:
  Connection& connection_;
};

}  // namespace chat::storage
