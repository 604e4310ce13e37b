#pragma once
// The storage interface of the platform: the bridge, the auth plugin's loader
// and the admin tools read and write through a Store, never through SQL of
// their own. Each method is one transaction (or one read) on the Store's
// connection; see connection.hpp for what happens when the server restarts.
//
// Errors are DbError (errors.hpp): unique_violation with constraint() naming
// which (constraints.hpp), foreign_key_violation for a user or chat that does
// not exist, check_violation for a value outside the wire contract's formats.
// Writes retry by themselves across a lost connection; one whose COMMIT was
// cut off throws commit_in_doubt (it may have been applied), except
// append_messages, which is safe to repeat and repeats it.
//
// Not thread-safe: one Store per thread (each owns one connection).
#include "chat/storage/connection.hpp"
#include "chat/storage/migrations.hpp"
#include "chat/storage/types.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chat::storage {

class Store {
 public:
  // Connects; changes nothing (the schema is migrate()'s job).
  explicit Store(std::string conninfo);
  explicit Store(Connection connection);

  // ---- schema ----
  MigrationReport migrate();
  SchemaStatus schema_status();

  // ---- users ----
  // The username is case-folded before it is stored ("Alice" is "alice").
  User create_user(const NewUser& user);
  std::optional<User> find_user(UserId id);
  std::optional<User> find_user_by_username(std::string_view username);  // folded too
  // nullopt when there is no such user.
  std::optional<User> update_user(UserId id, const UserPatch& patch);

  // ---- chats ----
  // A group owned by `owner` (role owner) with `members` (role member;
  // repeats and the owner are ignored).
  Chat create_group(UserId owner, std::string_view title, std::span<const UserId> members);
  // The direct chat of a and b, created on first use; (a, b) and (b, a) are the
  // same chat, also when opened concurrently. a == b is DbError{invalid_input}.
  Chat open_direct(UserId a, UserId b);
  std::optional<Chat> find_chat(ChatId id);  // deleted chats too (see deleted())
  // Groups only; direct chats keep their two members.
  MembershipChange add_member(ChatId chat, UserId user);
  MembershipChange remove_member(ChatId chat, UserId user);
  std::vector<Member> members(ChatId chat);  // by user id

  // ---- messages ----
  // Stores a batch in one transaction and returns one result per message, in
  // order. For each message, in this order of precedence:
  //  * (sender, client_msg_id) stored before, or earlier in the batch:
  //    `duplicate`, with the original's chat, seq and time (a client resend is
  //    stored once; the result's chat is the original's even if the resend
  //    named another);
  //  * the chat does not exist / is deleted / the sender is not a member:
  //    refused with chat_not_found / chat_deleted / not_member, seq 0; the rest
  //    of the batch is stored regardless;
  //  * otherwise `stored` under the chat's next seq. Seqs are gapless per chat,
  //    also with concurrent writers, and follow batch order within a chat.
  // A body that is not a JSON object, or a client id or type outside the
  // contract, fails the whole batch (DbError check_violation/invalid_input):
  // the bridge validates payloads before they get here.
  std::vector<AppendResult> append_messages(std::span<const NewMessage> batch);

  // Up to `limit` messages with seq > after_seq, in seq order.
  std::vector<StoredMessage> history(ChatId chat, Seq after_seq, int limit);

  // The Store's session, for a component's own statements (same thread only).
  Connection& connection() noexcept { return connection_; }

 private:
  Connection connection_;
};

}  // namespace chat::storage
