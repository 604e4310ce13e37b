#pragma once
// Statements of the clients' requests (group_changes.cpp, chat_lists.cpp, message_history.cpp, presence.cpp,
// users.cpp): chat lists, sync, membership changes by members, presence. Chat columns are those read_chat() reads,
// message columns those of read_stored_message().
#include "chat/storage/statement.hpp"
#include "message_columns.hpp"
#include "unread_sql.hpp"

namespace chat::storage::sql {

#define CHAT_REQUEST_CHAT_COLUMNS                                                      \
  " c.id, c.kind, c.title, c.owner_id, c.last_seq,"                                    \
  " epoch_ms(c.created_at) AS created_at_ms, epoch_ms(c.updated_at) AS updated_at_ms," \
  " epoch_ms(c.deleted_at) AS deleted_at_ms "

// unread: the messages of content after the member's read cursor (v13), one
// primary-key probe (CHAT_UNREAD_OF_MEMBER). muted_until_ms: the member's mute
// (chat.mute) only while it is ahead of the database's clock, the one that
// decides whether a push is skipped; a mute that ran out reads as none.
#define CHAT_REQUEST_USER_CHAT_COLUMNS \
  CHAT_REQUEST_CHAT_COLUMNS            \
  ", m.role, m.delivered_seq, m.read_seq,"                                        \
  " CASE WHEN c.kind = 'direct' THEN"                                             \
  "   CASE WHEN c.dm_user_lo = m.user_id THEN c.dm_user_hi ELSE c.dm_user_lo END" \
  " END AS peer_id, " CHAT_UNREAD_OF_MEMBER("c", "m") " AS unread,"               \
  " CASE WHEN m.muted_until > now() THEN epoch_ms(m.muted_until)"                 \
  " END AS muted_until_ms "

// A message's current state (message_columns.hpp); deleted content is
// withheld, the row keeps its place.
#define CHAT_REQUEST_MESSAGE_COLUMNS CHAT_MESSAGE_STATE_COLUMNS

// Which of $1 are live accounts (not deleted).
inline constexpr Statement kLiveUsers{"requests.live_users", R"sql(
SELECT id FROM users WHERE id = ANY($1::bigint[]) AND deleted_at IS NULL ORDER BY id)sql"};

// A page of the live chats of user $1 with id > $2, by id.
inline constexpr Statement kUserChats{"requests.user_chats", "SELECT " CHAT_REQUEST_USER_CHAT_COLUMNS R"sql(
FROM chat_members m
JOIN chats c ON c.id = m.chat_id
WHERE m.user_id = $1::bigint AND m.chat_id > $2::bigint AND c.deleted_at IS NULL
ORDER BY m.chat_id
LIMIT $3::bigint)sql"};

// The live chats of user $1 that are not among $2, by id (sync: "added").
inline constexpr Statement kUserChatsNotListed{"requests.user_chats_not_listed",
                                               "SELECT " CHAT_REQUEST_USER_CHAT_COLUMNS R"sql(
FROM chat_members m
JOIN chats c ON c.id = m.chat_id
WHERE m.user_id = $1::bigint AND c.deleted_at IS NULL AND NOT (m.chat_id = ANY($2::bigint[]))
ORDER BY m.chat_id
LIMIT $3::bigint)sql"};

// Each chat of $2 (in order) as user $1 sees it: exists, deleted, member.
inline constexpr Statement kListedChatStates{"requests.listed_chat_states",
                                             "SELECT k.chat_id AS listed_id," CHAT_REQUEST_CHAT_COLUMNS R"sql(,
       c.id IS NOT NULL AS chat_exists, m.user_id IS NOT NULL AS member
FROM unnest($2::bigint[]) WITH ORDINALITY AS k(chat_id, n)
LEFT JOIN chats c ON c.id = k.chat_id
LEFT JOIN chat_members m ON m.chat_id = k.chat_id AND m.user_id = $1::bigint
ORDER BY k.n)sql"};

// Up to $3 messages after each cursor ($1 chats, $2 seqs), by chat then seq.
inline constexpr Statement kMessagesAfterCursors{"requests.messages_after_cursors",
                                                 "SELECT " CHAT_REQUEST_MESSAGE_COLUMNS R"sql(
FROM unnest($1::bigint[], $2::bigint[]) AS k(chat_id, after_seq)
CROSS JOIN LATERAL (
  SELECT * FROM messages
  WHERE chat_id = k.chat_id AND seq > k.after_seq
  ORDER BY seq
  LIMIT $3::bigint
) x
ORDER BY x.chat_id, x.seq)sql"};

// Newest first: up to $3 messages of chat $1 stored before time $2 (ms).
// created_at grows with seq within a chat (taken under the chat's lock).
inline constexpr Statement kHistoryBeforeTime{"requests.history_before_time",
                                              "SELECT " CHAT_REQUEST_MESSAGE_COLUMNS R"sql(
FROM messages x
WHERE x.chat_id = $1::bigint
  AND x.created_at < 'epoch'::timestamptz + $2::bigint * interval '1 millisecond'
ORDER BY x.created_at DESC, x.seq DESC
LIMIT $3::bigint)sql"};

// Whether users $1 have a device online, and when they were last seen.
inline constexpr Statement kPresenceOf{"requests.presence_of", R"sql(
SELECT u.id, epoch_ms(u.last_seen) AS last_seen_ms,
       EXISTS (SELECT 1 FROM devices d WHERE d.user_id = u.id AND d.online) AS online
FROM users u
WHERE u.id = ANY($1::bigint[])
ORDER BY u.id)sql"};

// ---- membership changes (one transaction each, the chat row locked first) ----

// The same lock as message writers and add_member take (kLockGroupForMembership),
// so a change lands between two batches; whatever the chat's kind or state.
inline constexpr Statement kLockChatForChange{"requests.lock_chat", R"sql(
SELECT id, kind, owner_id, deleted_at IS NOT NULL AS deleted
FROM chats
WHERE id = $1::bigint
FOR NO KEY UPDATE)sql"};

inline constexpr Statement kMemberIds{"requests.member_ids", R"sql(
SELECT user_id FROM chat_members WHERE chat_id = $1::bigint ORDER BY user_id)sql"};

// Adds $2 as members; returns the ones that were not members before.
inline constexpr Statement kAddMembers{"requests.add_members", R"sql(
INSERT INTO chat_members (chat_id, user_id, role)
SELECT $1::bigint, u, 'member' FROM unnest($2::bigint[]) AS u ORDER BY u
ON CONFLICT (chat_id, user_id) DO NOTHING
RETURNING user_id)sql"};

inline constexpr Statement kRemoveMembers{"requests.remove_members", R"sql(
DELETE FROM chat_members
WHERE chat_id = $1::bigint AND user_id = ANY($2::bigint[])
RETURNING user_id)sql"};

// The member who joined first (then the lowest id) becomes the owner.
inline constexpr Statement kPassOwnership{"requests.pass_ownership", R"sql(
WITH heir AS (
  SELECT user_id FROM chat_members
  WHERE chat_id = $1::bigint
  ORDER BY joined_at, user_id
  LIMIT 1
),
promoted AS (
  UPDATE chat_members SET role = 'owner'
  WHERE chat_id = $1::bigint AND user_id = (SELECT user_id FROM heir)
)
UPDATE chats SET owner_id = (SELECT user_id FROM heir)
WHERE id = $1::bigint AND EXISTS (SELECT 1 FROM heir)
RETURNING owner_id)sql"};

// Soft delete: the rows stay (members still learn of it through sync).
inline constexpr Statement kDeleteChat{"requests.delete_chat", R"sql(
UPDATE chats SET deleted_at = now(), updated_at = now() WHERE id = $1::bigint)sql"};

inline constexpr Statement kTouchChatForChange{"requests.touch_chat", R"sql(
UPDATE chats SET updated_at = now() WHERE id = $1::bigint)sql"};

inline constexpr Statement kFindChatAfterChange{"requests.find_chat", "SELECT " CHAT_REQUEST_CHAT_COLUMNS R"sql(
FROM chats c
WHERE c.id = $1::bigint)sql"};

inline constexpr Statement kMembersAfterChange{"requests.members", R"sql(
SELECT chat_id, user_id, role, epoch_ms(joined_at) AS joined_at_ms, delivered_seq, read_seq
FROM chat_members
WHERE chat_id = $1::bigint
ORDER BY user_id)sql"};

#undef CHAT_REQUEST_CHAT_COLUMNS
#undef CHAT_REQUEST_USER_CHAT_COLUMNS
#undef CHAT_REQUEST_MESSAGE_COLUMNS

}  // namespace chat::storage::sql
