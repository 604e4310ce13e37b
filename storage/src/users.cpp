// User accounts: sign-up, look-ups, profile changes, operators' lists and
// searches, passwords, and account deletion.
#include "chat/storage/users.hpp"

#include "chat/storage/identifiers.hpp"
#include "record_readers.hpp"
#include "sql/admin_sql.hpp"
#include "sql/requests_sql.hpp"
#include "sql/users_sql.hpp"

#include <algorithm>

namespace chat::storage {
namespace {

UserAccount read_admin_user(const Row& row) {
  UserAccount user;
  user.user = detail::read_user(row);
  user.has_password = row.boolean("has_password");
  user.online = row.boolean("online");
  user.deleted_at_ms = row.optional_int64("deleted_at_ms");
  return user;
}

std::vector<UserAccount> read_admin_users(const Rows& rows) {
  std::vector<UserAccount> users;
  users.reserve(rows.size());
  for (const Row row : rows) users.push_back(read_admin_user(row));
  return users;
}

void check_limit(int limit, const char* what) {
  if (limit < 0) throw DbError(DbErrc::invalid_input, std::string(what) + ": limit must not be negative");
}

// The smallest string greater than every string starting with `prefix`, for
// the ASCII prefixes the admin tools search by (a-z 0-9 _ . +); an empty
// prefix has no bound ("\x7f" is above every character those columns hold).
std::string prefix_successor(std::string_view prefix) {
  std::string bound(prefix);
  while (!bound.empty() && static_cast<unsigned char>(bound.back()) >= 0x7e) bound.pop_back();
  if (bound.empty()) return "\x7f";
  bound.back() = static_cast<char>(bound.back() + 1);
  return bound;
}

// Locks the user's row; nullopt: no such user, else whether it is deleted.
std::optional<bool> lock_user(Connection& tx, UserId id) {
  const auto row = tx.execute(sql::kAdminLockUser, id).at_most_one();
  if (!row) return std::nullopt;
  return row->boolean("deleted");
}

std::vector<UserId> sorted_unique(std::span<const UserId> ids) {
  std::vector<UserId> out(ids.begin(), ids.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

User UserStore::create(const NewUser& user) {
  const std::string username = fold_username(user.username);
  return connection_.transaction([&](Connection& tx) {
    return detail::read_user(
        tx.execute(sql::kCreateUser, username, user.phone, user.password_hash, user.display_name).one());
  });
}

std::optional<UserAccount> UserStore::find(UserId id) {
  const auto row = connection_.execute(sql::kAdminFindUser, id).at_most_one();
  if (!row) return std::nullopt;
  return read_admin_user(*row);
}

std::optional<UserAccount> UserStore::find_by_username(std::string_view username) {
  const auto row = connection_.execute(sql::kAdminFindUserByUsername, fold_username(username)).at_most_one();
  if (!row) return std::nullopt;
  return read_admin_user(*row);
}

std::vector<UserAccount> UserStore::list(UserId after_id, int limit) {
  check_limit(limit, "users.list");
  return read_admin_users(connection_.execute(sql::kAdminListUsers, after_id, limit));
}

std::vector<UserAccount> UserStore::search_by_username(std::string_view prefix, std::string_view after_username,
                                                       int limit) {
  check_limit(limit, "users.search_by_username");
  const std::string folded = fold_username(prefix);
  return read_admin_users(
      connection_.execute(sql::kAdminSearchUsername, folded, prefix_successor(folded), after_username, limit));
}

std::vector<UserAccount> UserStore::search_by_phone(std::string_view prefix, std::string_view after_phone, int limit) {
  check_limit(limit, "users.search_by_phone");
  return read_admin_users(
      connection_.execute(sql::kAdminSearchPhone, prefix, prefix_successor(prefix), after_phone, limit));
}

AccountChange UserStore::update(UserId id, const UserPatch& patch) {
  const bool set_phone = patch.phone.has_value();
  const std::optional<std::string> phone = set_phone ? *patch.phone : std::nullopt;
  return connection_.transaction([&](Connection& tx) -> AccountChange {
    const auto deleted = lock_user(tx, id);
    if (!deleted) return {AccountStatus::not_found, std::nullopt};
    if (*deleted) return {AccountStatus::deleted, std::nullopt};
    if (!patch.empty()) {
      tx.execute(sql::kUpdateUser, id, patch.display_name, set_phone, phone, patch.disabled);
    }
    return {AccountStatus::ok, read_admin_user(tx.execute(sql::kAdminFindUser, id).one())};
  });
}

AccountStatus UserStore::set_password_hash(UserId id, std::optional<std::string_view> password_hash) {
  return connection_.transaction([&](Connection& tx) {
    const auto deleted = lock_user(tx, id);
    if (!deleted) return AccountStatus::not_found;
    if (*deleted) return AccountStatus::deleted;
    tx.execute(sql::kAdminSetPassword, id, password_hash);
    return AccountStatus::ok;
  });
}

std::vector<UserId> UserStore::live_among(std::span<const UserId> users) {
  std::vector<UserId> live;
  for (const Row row : connection_.execute(sql::kLiveUsers, Param::int64_array(sorted_unique(users)))) {
    live.push_back(row.int64("id"));
  }
  return live;  // the statement orders by id
}

UserDeletion UserStore::delete_account(UserId id, bool withhold_messages) {
  return connection_.transaction([&](Connection& tx) {
    UserDeletion result;
    const auto deleted = lock_user(tx, id);
    if (!deleted) {
      result.status = AccountStatus::not_found;
      return result;
    }
    if (*deleted) {
      result.status = AccountStatus::deleted;
      return result;
    }
    if (withhold_messages) {
      result.messages_withheld = tx.execute(sql::kAdminWithholdUserMessages, id).affected_rows();
    }
    const Row groups = tx.execute(sql::kAdminHandOverGroups, id).one();
    result.groups_handed_over = groups.int64("handed_over");
    result.groups_closed = groups.int64("closed");
    result.groups_left = tx.execute(sql::kAdminLeaveGroups, id).affected_rows();
    tx.execute(sql::kAdminDeleteDevices, id);
    tx.execute(sql::kAdminDeleteNotifications, id);
    tx.execute(sql::kAdminDeletePushDevices, id);
    for (const Row row : tx.execute(sql::kAdminReleaseUserMedia, id)) {
      result.released_digests.push_back(row.text("sha256"));
    }
    result.media_released = static_cast<std::int64_t>(result.released_digests.size());
    std::sort(result.released_digests.begin(), result.released_digests.end());
    result.released_digests.erase(std::unique(result.released_digests.begin(), result.released_digests.end()),
                                  result.released_digests.end());
    tx.execute(sql::kAdminAnonymiseUser, id);
    result.user = read_admin_user(tx.execute(sql::kAdminFindUser, id).one());
    return result;
  });
}

}  // namespace chat::storage
