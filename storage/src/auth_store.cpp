// The auth plugin's reads: credentials for a password sign-in, the snapshot
// of its membership cache, and LISTEN/NOTIFY to keep that cache current.
#include "chat/storage/identifiers.hpp"
#include "chat/storage/auth_store.hpp"
#include "connection_impl.hpp"
#include "sql/auth_sql.hpp"

#include <libpq-fe.h>

#include <cerrno>
#include <poll.h>

namespace chat::storage {
namespace {

// Moves every notification libpq has already read into `out`.
void drain_notifications(PGconn* conn, std::vector<Notification>& out) {
  while (PGnotify* note = PQnotifies(conn)) {
    out.push_back(
        Notification{note->relname != nullptr ? note->relname : "", note->extra != nullptr ? note->extra : ""});
    PQfreemem(note);
  }
}

[[noreturn]] void throw_lost(PGconn* conn, const char* what) {
  std::string message = std::string("wait for notifications: ") + what;
  if (conn != nullptr) {
    const char* detail = PQerrorMessage(conn);
    if (detail != nullptr && *detail != '\0') {
      message += ": ";
      message += detail;
      while (!message.empty() && message.back() == '\n') message.pop_back();
    }
  }
  throw DbError(DbErrc::connection_lost, message);
}

}  // namespace

std::optional<UserCredentials> AuthStore::find_credentials(std::string_view username) {
  const auto row = connection_.execute(sql::kAuthUserCredentials, fold_username(username)).at_most_one();
  if (!row) return std::nullopt;
  return UserCredentials{row->int64("id"), row->optional_text("password_hash"), row->boolean("disabled")};
}

std::optional<TokenHolder> AuthStore::find_token_holder(UserId id) {
  const auto row = connection_.execute(sql::kAuthTokenHolder, id).at_most_one();
  if (!row) return std::nullopt;
  return TokenHolder{row->int64("id"), row->text("username"), row->boolean("disabled"), row->boolean("deleted"),
                     row->int64("not_before")};
}

AuthSnapshot AuthStore::load_snapshot() {
  TransactionOptions options;
  options.isolation = Isolation::repeatable_read;  // every read sees the same moment
  return connection_.transaction(
      [](Connection& tx) {
        AuthSnapshot snapshot;
        const Rows members = tx.execute(sql::kAuthGroupMembers);
        snapshot.group_members.reserve(members.size());
        for (const Row row : members) {
          snapshot.group_members.emplace_back(row.int64("chat_id"), row.int64("user_id"));
        }
        const Rows refused = tx.execute(sql::kAuthRefusedUsers);
        snapshot.refused_users.reserve(refused.size());
        for (const Row row : refused) snapshot.refused_users.push_back({row.int64("id"), row.text("username")});
        const Rows floors = tx.execute(sql::kAuthTokenFloors);
        snapshot.token_floors.reserve(floors.size());
        for (const Row row : floors) snapshot.token_floors.emplace_back(row.int64("user_id"), row.int64("not_before"));
        const Rows blocks = tx.execute(sql::kAuthUserBlocks);
        snapshot.blocks.reserve(blocks.size());
        for (const Row row : blocks) snapshot.blocks.emplace_back(row.int64("blocker_id"), row.int64("blocked_id"));
        return snapshot;
      },
      options);
}

std::vector<UserId> AuthStore::live_group_members(ChatId chat) {
  std::vector<UserId> members;
  for (const Row row : connection_.execute(sql::kAuthMembersOfGroup, chat)) {
    members.push_back(row.int64("user_id"));
  }
  return members;
}

void AuthStore::listen_for_changes() {
  detail::ConnectionAccess::impl(connection_).execute_script(sql::kListenAuthChanges, "listen chat_auth");
}

std::vector<Notification> AuthStore::wait_for_notifications(std::chrono::milliseconds timeout) {
  auto& session = detail::ConnectionAccess::impl(connection_);
  PGconn* conn = session.native_handle();
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) throw_lost(conn, "no open session");

  std::vector<Notification> received;
  drain_notifications(conn, received);
  if (!received.empty()) return received;

  pollfd fd{};
  fd.fd = PQsocket(conn);
  fd.events = POLLIN;
  if (fd.fd < 0) throw_lost(conn, "the session has no socket");
  const int ready = poll(&fd, 1, static_cast<int>(timeout.count()));
  if (ready < 0) {
    if (errno == EINTR) return received;
    throw_lost(conn, "poll failed");
  }
  if (ready == 0) return received;
  if (PQconsumeInput(conn) == 0) throw_lost(conn, "the server closed the session");
  drain_notifications(conn, received);
  return received;
}

}  // namespace chat::storage
