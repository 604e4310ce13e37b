#pragma once
// Statements of the admin tools (users.cpp, chat_lists.cpp, message_history.cpp, store.cpp): users as operators see
// them, account deletion, chats and members in pages, history pages,
// moderation and statistics. User statements return the columns of
// read_user() plus has_password, online and deleted_at_ms; chat statements
// those of read_chat() plus member_count.
#include "chat/storage/statement.hpp"
#include "message_columns.hpp"

namespace chat::storage::sql {

#define CHAT_ADMIN_USER_COLUMNS                                                          \
  "u.id, u.username, u.phone, u.display_name, u.disabled, "                              \
  "epoch_ms(u.created_at) AS created_at_ms, epoch_ms(u.updated_at) AS updated_at_ms, "   \
  "epoch_ms(u.last_seen) AS last_seen_ms, u.password_hash IS NOT NULL AS has_password, " \
  "EXISTS (SELECT 1 FROM devices d WHERE d.user_id = u.id AND d.online) AS online, "     \
  "epoch_ms(u.deleted_at) AS deleted_at_ms "

#define CHAT_ADMIN_CHAT_COLUMNS                                                        \
  "c.id, c.kind, c.title, c.owner_id, c.last_seq, "                                    \
  "epoch_ms(c.created_at) AS created_at_ms, epoch_ms(c.updated_at) AS updated_at_ms, " \
  "epoch_ms(c.deleted_at) AS deleted_at_ms, "                                          \
  "(SELECT count(*) FROM chat_members cm WHERE cm.chat_id = c.id) AS member_count "

// ---- users -------------------------------------------------------------------

inline constexpr Statement kAdminFindUser{"admin.users.find", "SELECT " CHAT_ADMIN_USER_COLUMNS R"sql(
FROM users u
WHERE u.id = $1::bigint)sql"};

inline constexpr Statement kAdminFindUserByUsername{"admin.users.find_by_username",
                                                    "SELECT " CHAT_ADMIN_USER_COLUMNS R"sql(
FROM users u
WHERE u.username = $1::text)sql"};

// A page in id order after $1.
inline constexpr Statement kAdminListUsers{"admin.users.list", "SELECT " CHAT_ADMIN_USER_COLUMNS R"sql(
FROM users u
WHERE u.id > $1::bigint
ORDER BY u.id
LIMIT $2::bigint)sql"};

// Usernames in [$1, $2) (a prefix and its successor, computed by the caller,
// so a generic plan still scans only the prefix's range), after $3, in byte order.
inline constexpr Statement kAdminSearchUsername{"admin.users.search_username", "SELECT " CHAT_ADMIN_USER_COLUMNS R"sql(
FROM users u
WHERE u.username COLLATE "C" >= $1::text AND u.username COLLATE "C" < $2::text
  AND u.username COLLATE "C" > $3::text
ORDER BY u.username COLLATE "C"
LIMIT $4::bigint)sql"};

inline constexpr Statement kAdminSearchPhone{"admin.users.search_phone", "SELECT " CHAT_ADMIN_USER_COLUMNS R"sql(
FROM users u
WHERE u.phone COLLATE "C" >= $1::text AND u.phone COLLATE "C" < $2::text
  AND u.phone COLLATE "C" > $3::text
ORDER BY u.phone COLLATE "C"
LIMIT $4::bigint)sql"};

// NO KEY UPDATE: does not block the KEY SHARE locks that foreign-key checks
// (message_client_ids) take, so a concurrent message batch is not stalled.
inline constexpr Statement kAdminLockUser{"admin.users.lock", R"sql(
SELECT deleted_at IS NOT NULL AS deleted
FROM users
WHERE id = $1::bigint
FOR NO KEY UPDATE)sql"};

// $2 NULL removes the password (token sign-in only).
inline constexpr Statement kAdminSetPassword{"admin.users.set_password", R"sql(
UPDATE users SET password_hash = $2::text, updated_at = now()
WHERE id = $1::bigint)sql"};

// ---- account deletion (one transaction, in this order) -------------------------

// Content of every message the user sent is withheld, as moderation does.
inline constexpr Statement kAdminWithholdUserMessages{"admin.users.withhold_messages", R"sql(
UPDATE messages m SET deleted_at = now()
FROM message_client_ids c
WHERE c.sender_id = $1::bigint AND m.chat_id = c.chat_id AND m.seq = c.seq
  AND m.deleted_at IS NULL)sql"};

// Groups the user owns pass to the member who joined first (then lowest id);
// a group with nobody else left is closed (soft-deleted). Chats are locked in
// id order, as every writer of chats does.
inline constexpr Statement kAdminHandOverGroups{"admin.users.hand_over_groups", R"sql(
WITH owned AS (
  SELECT id FROM chats
  WHERE owner_id = $1::bigint AND kind = 'group' AND deleted_at IS NULL
  ORDER BY id
  FOR NO KEY UPDATE
),
heir AS (
  SELECT DISTINCT ON (m.chat_id) m.chat_id, m.user_id
  FROM chat_members m
  JOIN owned o ON o.id = m.chat_id
  JOIN users u ON u.id = m.user_id
  WHERE m.user_id <> $1::bigint AND u.deleted_at IS NULL
  ORDER BY m.chat_id, m.joined_at, m.user_id
),
promoted AS (
  UPDATE chat_members cm SET role = 'owner'
  FROM heir h
  WHERE cm.chat_id = h.chat_id AND cm.user_id = h.user_id
  RETURNING cm.chat_id
),
handed AS (
  UPDATE chats c SET owner_id = h.user_id, updated_at = now()
  FROM heir h
  WHERE c.id = h.chat_id
  RETURNING c.id
),
closed AS (
  UPDATE chats c SET deleted_at = now(), updated_at = now()
  FROM owned o
  WHERE c.id = o.id AND NOT EXISTS (SELECT 1 FROM heir h WHERE h.chat_id = o.id)
  RETURNING c.id
)
SELECT (SELECT count(*) FROM handed) AS handed_over,
       (SELECT count(*) FROM closed) AS closed,
       (SELECT count(*) FROM promoted) AS promoted)sql"};

// Group memberships end; a direct chat keeps its two members (its history
// stays the other user's conversation).
inline constexpr Statement kAdminLeaveGroups{"admin.users.leave_groups", R"sql(
DELETE FROM chat_members m
USING chats c
WHERE m.user_id = $1::bigint AND c.id = m.chat_id AND c.kind = 'group')sql"};

inline constexpr Statement kAdminDeleteDevices{"admin.users.delete_devices", R"sql(
DELETE FROM devices WHERE user_id = $1::bigint)sql"};

inline constexpr Statement kAdminDeleteNotifications{"admin.users.delete_notifications", R"sql(
DELETE FROM notification_outbox WHERE user_id = $1::bigint)sql"};

// A deleted account's phones get nothing more.
inline constexpr Statement kAdminDeletePushDevices{"admin.users.delete_push_devices", R"sql(
DELETE FROM push_devices WHERE user_id = $1::bigint)sql"};

// Uploads never shared are released; shared ones stay part of the chats' history.
inline constexpr Statement kAdminReleaseUserMedia{"admin.users.release_media", R"sql(
DELETE FROM media
WHERE uploader_id = $1::bigint AND first_referenced_at IS NULL
RETURNING sha256)sql"};

// Last, because renaming takes the row's strongest lock (username is a key).
inline constexpr Statement kAdminAnonymiseUser{"admin.users.anonymise", R"sql(
UPDATE users
SET username = 'deleted.' || id, phone = NULL, password_hash = NULL, display_name = '',
    disabled = true, deleted_at = now(), updated_at = now()
WHERE id = $1::bigint)sql"};

// ---- chats -------------------------------------------------------------------

inline constexpr Statement kAdminFindChat{"admin.chats.find", "SELECT " CHAT_ADMIN_CHAT_COLUMNS R"sql(
FROM chats c
WHERE c.id = $1::bigint)sql"};

// $2 kind or NULL for both.
inline constexpr Statement kAdminListChats{"admin.chats.list", "SELECT " CHAT_ADMIN_CHAT_COLUMNS R"sql(
FROM chats c
WHERE c.id > $1::bigint AND ($2::text IS NULL OR c.kind = $2::text)
ORDER BY c.id
LIMIT $3::bigint)sql"};

inline constexpr Statement kAdminUserChats{"admin.chats.of_user", "SELECT " CHAT_ADMIN_CHAT_COLUMNS R"sql(
FROM chat_members um
JOIN chats c ON c.id = um.chat_id
WHERE um.user_id = $1::bigint AND um.chat_id > $2::bigint
ORDER BY um.chat_id
LIMIT $3::bigint)sql"};

inline constexpr Statement kAdminMembersPage{"admin.members.page", R"sql(
SELECT m.chat_id, m.user_id, m.role, epoch_ms(m.joined_at) AS joined_at_ms,
       m.delivered_seq, m.read_seq, u.username, u.display_name
FROM chat_members m
JOIN users u ON u.id = m.user_id
WHERE m.chat_id = $1::bigint AND m.user_id > $2::bigint
ORDER BY m.user_id
LIMIT $3::bigint)sql"};

// ---- messages ------------------------------------------------------------------

// Newest first below $2; content withheld once moderated (as kHistoryAfter).
inline constexpr Statement kAdminHistoryBefore{"admin.messages.history_before",
                                               "SELECT " CHAT_MESSAGE_STATE_COLUMNS R"sql(
FROM messages x
WHERE x.chat_id = $1::bigint AND x.seq < $2::bigint
ORDER BY x.seq DESC
LIMIT $3::bigint)sql"};

// Moderation: the row and its seq stay, the content is withheld from then on.
// Deleting again keeps the first time.
inline constexpr Statement kAdminModerateMessage{"admin.messages.moderate", R"sql(
UPDATE messages SET deleted_at = coalesce(deleted_at, now())
WHERE chat_id = $1::bigint AND seq = $2::bigint
RETURNING chat_id, seq, sender_id, client_msg_id, type, '{}'::jsonb AS body,
          epoch_ms(created_at) AS created_at_ms, epoch_ms(deleted_at) AS deleted_at_ms,
          epoch_ms(edited_at) AS edited_at_ms, NULL::text AS reactions)sql"};

// ---- statistics ------------------------------------------------------------------

// Messages are counted as the sum of the chats' last_seq: seqs are gapless
// from 1, so that is exact without scanning the largest table.
inline constexpr Statement kAdminStats{"admin.stats", R"sql(
SELECT (SELECT count(*) FROM users WHERE deleted_at IS NULL) AS users,
       (SELECT count(*) FROM users WHERE disabled AND deleted_at IS NULL) AS disabled_users,
       (SELECT count(*) FROM users WHERE deleted_at IS NOT NULL) AS deleted_users,
       (SELECT count(DISTINCT user_id) FROM devices WHERE online) AS online_users,
       (SELECT count(*) FROM devices WHERE online) AS online_devices,
       (SELECT count(*) FROM chats WHERE deleted_at IS NULL) AS chats,
       (SELECT count(*) FROM chats WHERE deleted_at IS NULL AND kind = 'group') AS groups,
       (SELECT count(*) FROM chats WHERE deleted_at IS NULL AND kind = 'direct') AS direct_chats,
       (SELECT coalesce(sum(last_seq), 0)::bigint FROM chats) AS messages)sql"};

// One row per UTC day of the last $1 days, oldest first, today last.
inline constexpr Statement kAdminMessagesPerDay{"admin.stats.messages_per_day", R"sql(
SELECT to_char(day, 'YYYY-MM-DD') AS day,
       (SELECT count(*) FROM messages m
        WHERE m.created_at >= day AT TIME ZONE 'UTC'
          AND m.created_at < (day + interval '1 day') AT TIME ZONE 'UTC') AS messages
FROM generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') - ($1::integer - 1) * interval '1 day',
                     date_trunc('day', now() AT TIME ZONE 'UTC'),
                     interval '1 day') AS day
ORDER BY day)sql"};

#undef CHAT_ADMIN_USER_COLUMNS
#undef CHAT_ADMIN_CHAT_COLUMNS

}  // namespace chat::storage::sql
