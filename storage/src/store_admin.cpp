// The admin tools' side of the Store: users as operators see them, account
// deletion, chats and members in pages, history pages, moderation, statistics.
#include "chat/storage/identifiers.hpp"
#include "chat/storage/store.hpp"
#include "media_queries.hpp"
#include "record_readers.hpp"
#include "sql/admin_sql.hpp"
#include "sql/users_sql.hpp"

#include <algorithm>

namespace chat::storage {
namespace {

AdminUser read_admin_user(const Row& row) {
  AdminUser user;
  user.user = detail::read_user(row);
  user.has_password = row.boolean("has_password");
  user.online = row.boolean("online");
  user.deleted_at_ms = row.optional_int64("deleted_at_ms");
  return user;
}

std::vector<AdminUser> read_admin_users(const Rows& rows) {
  std::vector<AdminUser> users;
  users.reserve(rows.size());
  for (const Row row : rows) users.push_back(read_admin_user(row));
  return users;
}

ChatSummary read_chat_summary(const Row& row) {
  return ChatSummary{detail::read_chat(row), row.int64("member_count")};
}

std::vector<ChatSummary> read_chat_summaries(const Rows& rows) {
  std::vector<ChatSummary> chats;
  chats.reserve(rows.size());
  for (const Row row : rows) chats.push_back(read_chat_summary(row));
  return chats;
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

}  // namespace

// ---- users ---------------------------------------------------------------------

std::optional<AdminUser> Store::admin_find_user(UserId id) {
  const auto row = connection_.execute(sql::kAdminFindUser, id).at_most_one();
  if (!row) return std::nullopt;
  return read_admin_user(*row);
}

std::optional<AdminUser> Store::admin_find_user_by_username(std::string_view username) {
  const auto row =
      connection_.execute(sql::kAdminFindUserByUsername, fold_username(username)).at_most_one();
  if (!row) return std::nullopt;
  return read_admin_user(*row);
}

std::vector<AdminUser> Store::admin_list_users(UserId after_id, int limit) {
  check_limit(limit, "admin_list_users");
  return read_admin_users(connection_.execute(sql::kAdminListUsers, after_id, limit));
}

std::vector<AdminUser> Store::admin_search_users_by_username(std::string_view prefix,
                                                             std::string_view after_username,
                                                             int limit) {
  check_limit(limit, "admin_search_users_by_username");
  const std::string folded = fold_username(prefix);
  return read_admin_users(connection_.execute(sql::kAdminSearchUsername, folded,
                                              prefix_successor(folded), after_username, limit));
}

std::vector<AdminUser> Store::admin_search_users_by_phone(std::string_view prefix,
                                                          std::string_view after_phone, int limit) {
  check_limit(limit, "admin_search_users_by_phone");
  return read_admin_users(connection_.execute(sql::kAdminSearchPhone, prefix,
                                              prefix_successor(prefix), after_phone, limit));
}

AdminUserChange Store::admin_update_user(UserId id, const UserPatch& patch) {
  const bool set_phone = patch.phone.has_value();
  const std::optional<std::string> phone = set_phone ? *patch.phone : std::nullopt;
  return connection_.transaction([&](Connection& tx) -> AdminUserChange {
    const auto deleted = lock_user(tx, id);
    if (!deleted) return {AdminUserStatus::not_found, std::nullopt};
    if (*deleted) return {AdminUserStatus::deleted, std::nullopt};
    if (!patch.empty()) {
      tx.execute(sql::kUpdateUser, id, patch.display_name, set_phone, phone, patch.disabled);
    }
    return {AdminUserStatus::ok, read_admin_user(tx.execute(sql::kAdminFindUser, id).one())};
  });
}

AdminUserStatus Store::set_password_hash(UserId id, std::optional<std::string_view> password_hash) {
  return connection_.transaction([&](Connection& tx) {
    const auto deleted = lock_user(tx, id);
    if (!deleted) return AdminUserStatus::not_found;
    if (*deleted) return AdminUserStatus::deleted;
    tx.execute(sql::kAdminSetPassword, id, password_hash);
    return AdminUserStatus::ok;
  });
}

UserDeletion Store::delete_user(UserId id, bool withhold_messages) {
  return connection_.transaction([&](Connection& tx) {
    UserDeletion result;
    const auto deleted = lock_user(tx, id);
    if (!deleted) {
      result.status = AdminUserStatus::not_found;
      return result;
    }
    if (*deleted) {
      result.status = AdminUserStatus::deleted;
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
    for (const Row row : tx.execute(sql::kAdminReleaseUserMedia, id)) {
      result.released_digests.push_back(row.text("sha256"));
    }
    result.media_released = static_cast<std::int64_t>(result.released_digests.size());
    std::sort(result.released_digests.begin(), result.released_digests.end());
    result.released_digests.erase(
        std::unique(result.released_digests.begin(), result.released_digests.end()),
        result.released_digests.end());
    tx.execute(sql::kAdminAnonymiseUser, id);
    result.user = read_admin_user(tx.execute(sql::kAdminFindUser, id).one());
    return result;
  });
}

// ---- chats -----------------------------------------------------------------------

std::optional<ChatSummary> Store::admin_find_chat(ChatId id) {
  const auto row = connection_.execute(sql::kAdminFindChat, id).at_most_one();
  if (!row) return std::nullopt;
  return read_chat_summary(*row);
}

std::vector<ChatSummary> Store::admin_list_chats(ChatId after_id, int limit, std::optional<ChatKind> kind) {
  check_limit(limit, "admin_list_chats");
  std::optional<std::string_view> kind_name;
  if (kind) kind_name = to_string(*kind);
  return read_chat_summaries(connection_.execute(sql::kAdminListChats, after_id, kind_name, limit));
}

std::vector<ChatSummary> Store::admin_user_chats(UserId user, ChatId after_id, int limit) {
  check_limit(limit, "admin_user_chats");
  return read_chat_summaries(connection_.execute(sql::kAdminUserChats, user, after_id, limit));
}

std::vector<AdminMember> Store::admin_members(ChatId chat, UserId after_user, int limit) {
  check_limit(limit, "admin_members");
  std::vector<AdminMember> members;
  for (const Row row : connection_.execute(sql::kAdminMembersPage, chat, after_user, limit)) {
    members.push_back(AdminMember{detail::read_member(row), row.text("username"), row.text("display_name")});
  }
  return members;
}

// ---- messages ----------------------------------------------------------------------

std::vector<StoredMessage> Store::history_before(ChatId chat, Seq before_seq, int limit) {
  check_limit(limit, "history_before");
  std::vector<StoredMessage> messages;
  for (const Row row : connection_.execute(sql::kAdminHistoryBefore, chat, before_seq, limit)) {
    messages.push_back(detail::read_stored_message(row));
  }
  return messages;
}

std::optional<StoredMessage> Store::moderate_delete_message(ChatId chat, Seq seq) {
  return connection_.transaction([&](Connection& tx) -> std::optional<StoredMessage> {
    const auto row = tx.execute(sql::kAdminModerateMessage, chat, seq).at_most_one();
    if (!row) return std::nullopt;
    return detail::read_stored_message(*row);
  });
}

// ---- statistics ----------------------------------------------------------------------

AdminStats Store::admin_stats(int days) {
  if (days < 1 || days > 366) throw DbError(DbErrc::invalid_input, "admin_stats: days must be 1..366");
  // One snapshot for all the numbers.
  TransactionOptions options;
  options.isolation = Isolation::repeatable_read;
  return connection_.transaction(
      [&](Connection& tx) {
        AdminStats stats;
        const Row row = tx.execute(sql::kAdminStats).one();
        stats.users = row.int64("users");
        stats.disabled_users = row.int64("disabled_users");
        stats.deleted_users = row.int64("deleted_users");
        stats.online_users = row.int64("online_users");
        stats.online_devices = row.int64("online_devices");
        stats.chats = row.int64("chats");
        stats.groups = row.int64("groups");
        stats.direct_chats = row.int64("direct_chats");
        stats.messages = row.int64("messages");
        const MediaTotals media = detail::media_totals(tx);
        stats.media_files = media.files;
        stats.media_bytes = media.bytes;
        for (const Row day : tx.execute(sql::kAdminMessagesPerDay, days)) {
          stats.messages_per_day.push_back(DayCount{day.text("day"), day.int64("messages")});
        }
        return stats;
      },
      options);
}

}  // namespace chat::storage
