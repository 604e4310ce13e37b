#pragma once
// User accounts: sign-up, look-ups, profile changes, operators' lists and
// searches, passwords, and deleting an account by anonymising it.
#include "chat/storage/admin_types.hpp"
#include "chat/storage/connection.hpp"
#include "chat/storage/types.hpp"

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace chat::storage {

class UserStore {
 public:
  explicit UserStore(Connection& connection) noexcept : connection_(connection) {}

  // The username is case-folded before it is stored ("Alice" is "alice").
  User create(const NewUser& user);
  // With has_password/online/deleted; deleted (anonymised) accounts too.
  std::optional<UserAccount> find(UserId id);
  std::optional<UserAccount> find_by_username(std::string_view username);  // folded too
  // Refused (status deleted) for deleted accounts; an empty patch changes
  // nothing and answers the account as it is.
  AccountChange update(UserId id, const UserPatch& patch);
  // Which of `users` are live accounts (exist, not deleted); sorted, unique.
  std::vector<UserId> live_among(std::span<const UserId> users);

  // Lists are pages: up to `limit` rows after the given key, in key order
  // (callers ask for one more than they show to learn whether there is a
  // next page).
  std::vector<UserAccount> list(UserId after_id, int limit);
  // By prefix (username folded; the caller validates the characters), in
  // byte order of the searched column, after `after_*` ("" for the first page).
  std::vector<UserAccount> search_by_username(std::string_view prefix, std::string_view after_username, int limit);
  std::vector<UserAccount> search_by_phone(std::string_view prefix, std::string_view after_phone, int limit);

  // A PHC hash from chat::credentials, or nullopt to remove the password.
  AccountStatus set_password_hash(UserId id, std::optional<std::string_view> password_hash);
  // Deletes an account by anonymising it, in one transaction (see
  // docs/admin-api.md): owned groups pass to the earliest member (or close
  // when empty), group memberships, devices, pending notifications and
  // never-shared uploads go; messages stay (content withheld when
  // `withhold_messages`); the row becomes deleted.<id>, disabled, without
  // phone, password or name.
  UserDeletion delete_account(UserId id, bool withhold_messages);

 private:
  Connection& connection_;
};

}  // namespace chat::storage
