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
#include "chat/storage/admin_types.hpp"
#include "chat/storage/auth.hpp"
#include "chat/storage/connection.hpp"
#include "chat/storage/delivery_types.hpp"
#include "chat/storage/migrations.hpp"
#include "chat/storage/request_types.hpp"
#include "chat/storage/types.hpp"

#include <chrono>
#include <cstdint>
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

  // ---- the bridge (store_delivery/receipts/presence/notifications.cpp) ----
  // The direct chat of each pair (in order), created with its two members on
  // first use, in one transaction however many pairs. No chat when a user does
  // not exist or from == to (the flags say which user is missing).
  std::vector<DirectChatRef> resolve_direct_chats(std::span<const UserPair> pairs);
  // append_messages, plus in the same transaction one notification_outbox job
  // per newly stored message and member other than the sender that has no
  // online device (devices.online).
  std::vector<AppendResult> append_messages_notifying(std::span<const NewMessage> batch);
  // Moves members' delivered/read cursors forward only (greatest()), never past
  // the chat's last_seq; read implies delivered. Refs resolve through the
  // client ids and count only within the receipt's chat; unknown chats,
  // non-members and unknown refs change nothing. Returns the cursors that moved.
  std::vector<CursorChange> apply_receipts(std::span<const ReceiptUpdate> receipts);
  // Records a device online/offline (devices.online, last_connect_at) and says
  // whether its user was and is online; users.last_seen is set when the user's
  // last online device goes offline. nullopt for an unknown user.
  std::optional<PresenceChange> set_device_state(UserId user, std::string_view device, bool online);
  // The same for many devices in one transaction (users locked in id order);
  // one answer per state, in the order given. A user's devices are applied in
  // the order given, so a later state of the same user sees the earlier ones.
  std::vector<std::optional<PresenceChange>> set_device_states(std::span<const DeviceState> states);
  // Marks offline every device recorded online before `connected_before_ms`
  // (left stale by a crash); returns the users that are offline now, whose
  // last_seen became at least that time.
  std::vector<PresenceChange> clear_stale_devices(TimeMs connected_before_ms);
  // Claims up to `limit` due notification jobs for `lease` (counting the
  // attempt); a job not finished or rescheduled by then is claimed again.
  std::vector<PendingNotification> claim_notifications(int limit, std::chrono::milliseconds lease);
  void finish_notifications(std::span<const std::int64_t> ids);  // sent: deleted
  void reschedule_notification(std::int64_t id, std::chrono::milliseconds delay, std::string_view error);
  std::int64_t notification_backlog();  // jobs in the outbox

  // ---- clients' requests (store_requests.cpp; the bridge's request path) ----
  // Which of `users` are live accounts (exist, not deleted); sorted, unique.
  std::vector<UserId> live_users(std::span<const UserId> users);
  // A page of the user's live chats with id > after_chat, by id.
  std::vector<UserChat> user_chats(UserId user, ChatId after_chat, int limit);
  // Up to `limit` live chats of the user that are not in `listed`, by id.
  std::vector<UserChat> user_chats_not_listed(UserId user, std::span<const ChatId> listed, int limit);
  // Each chat of `chats`, in order: whether it exists (and its row), and
  // whether the user is a member of it.
  std::vector<ListedChatState> listed_chat_states(UserId user, std::span<const ChatId> chats);
  // Up to `per_chat_limit` messages after each cursor, by chat id then seq;
  // content withheld once moderated. The caller checks membership.
  std::vector<StoredMessage> messages_after(std::span<const ChatCursor> cursors, int per_chat_limit);
  // Up to `limit` messages stored before `before_ms`, newest first.
  std::vector<StoredMessage> history_before_time(ChatId chat, TimeMs before_ms, int limit);
  // Presence of the users that exist among `users`, by id.
  std::vector<UserPresence> presence_of(std::span<const UserId> users);
  // Membership changes requested by `actor`, each checked and applied in one
  // transaction under the chat's row lock (the lock message writers take, so
  // the change lands between two batches). Only the owner adds, removes
  // others and deletes; a member may remove itself. When the owner leaves,
  // the member who joined first becomes the owner; when nobody is left, the
  // chat is deleted. Deleting is soft: the rows stay, messages are refused.
  GroupChange add_group_members(ChatId chat, UserId actor, std::span<const UserId> users, std::size_t max_members);
  GroupChange remove_group_members(ChatId chat, UserId actor, std::span<const UserId> users);
  GroupChange delete_group(ChatId chat, UserId actor);

  // ---- auth plugin (store_auth.cpp) ----
  // id, password hash and disabled flag of a username (folded first); one
  // index lookup. nullopt when there is no such user.
  std::optional<UserCredentials> find_user_credentials(std::string_view username);
  // Live group memberships and refused users, in one REPEATABLE READ transaction.
  AuthSnapshot load_auth_snapshot();
  // The members of a live group; empty for a deleted, direct or unknown chat.
  std::vector<UserId> live_group_members(ChatId chat);
  // LISTEN on kAuthChangesChannel. A listen lasts as long as the session: after
  // a DbError{connection_lost} the caller listens again (and reloads what it
  // follows, since notifications sent meanwhile are lost).
  void listen_for_auth_changes();
  // The notifications received so far, or else those arriving within `timeout`
  // (empty when none did). Throws DbError{connection_lost} when the session died.
  std::vector<Notification> wait_for_notifications(std::chrono::milliseconds timeout);

  // ---- admin tools (store_admin.cpp, store_media.cpp; tools/admin/) ----
  // Users with has_password/online/deleted. Lists are pages: up to `limit`
  // rows after the given key, in key order (callers ask for one more than they
  // show to learn whether there is a next page).
  std::optional<AdminUser> admin_find_user(UserId id);
  std::optional<AdminUser> admin_find_user_by_username(std::string_view username);  // folded
  std::vector<AdminUser> admin_list_users(UserId after_id, int limit);
  // By prefix (username folded; the caller validates the characters), in
  // byte order of the searched column, after `after_*` ("" for the first page).
  std::vector<AdminUser> admin_search_users_by_username(std::string_view prefix,
                                                        std::string_view after_username, int limit);
  std::vector<AdminUser> admin_search_users_by_phone(std::string_view prefix,
                                                     std::string_view after_phone, int limit);
  // update_user, refused for deleted accounts.
  AdminUserChange admin_update_user(UserId id, const UserPatch& patch);
  // A PHC hash from chat::credentials, or nullopt to remove the password.
  AdminUserStatus set_password_hash(UserId id, std::optional<std::string_view> password_hash);
  // Deletes an account by anonymising it, in one transaction (see
  // docs/admin-api.md): owned groups pass to the earliest member (or close
  // when empty), group memberships, devices, pending notifications and
  // never-shared uploads go; messages stay (content withheld when
  // `withhold_messages`); the row becomes deleted.<id>, disabled, without
  // phone, password or name.
  UserDeletion delete_user(UserId id, bool withhold_messages);

  std::optional<ChatSummary> admin_find_chat(ChatId id);
  std::vector<ChatSummary> admin_list_chats(ChatId after_id, int limit, std::optional<ChatKind> kind);
  std::vector<ChatSummary> admin_user_chats(UserId user, ChatId after_id, int limit);
  std::vector<AdminMember> admin_members(ChatId chat, UserId after_user, int limit);
  // Up to `limit` messages with seq < before_seq, newest first (content
  // withheld once moderated, as history()).
  std::vector<StoredMessage> history_before(ChatId chat, Seq before_seq, int limit);
  // Moderation: withholds the message's content from now on (the row and its
  // seq stay); nullopt when there is no such message. Repeating keeps the first time.
  std::optional<StoredMessage> moderate_delete_message(ChatId chat, Seq seq);
  // Counts in one snapshot, and messages per UTC day of the last `days` (1..366).
  AdminStats admin_stats(int days);

  // The media catalogue. insert_media is idempotent per id.
  MediaInsert insert_media(const NewMedia& media);
  std::optional<MediaRecord> find_media(std::string_view id);
  std::optional<MediaAccess> find_media_for(std::string_view id, UserId user);
  // Deletes up to `limit` uploads created before the time that no message
  // references; returns their sha256s (repeats possible).
  std::vector<std::string> delete_unreferenced_media(TimeMs created_before_ms, int limit);
  // The digests among `digests` that some catalogue row still uses.
  std::vector<std::string> media_digests_in_use(std::span<const std::string> digests);
  MediaTotals media_totals();

  // The Store's session, for a component's own statements (same thread only).
  Connection& connection() noexcept { return connection_; }

 private:
  Connection connection_;
};

}  // namespace chat::storage
