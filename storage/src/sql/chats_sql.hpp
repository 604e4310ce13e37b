#pragma once
// Statements on chats and their members. Chat statements return the columns
// read_chat() reads; member statements those of read_member().
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

inline constexpr Statement kCreateGroup{"chats.create_group", R"sql(
INSERT INTO chats (kind, title, owner_id)
VALUES ('group', $1::text, $2::bigint)
RETURNING id, kind, title, owner_id, last_seq,
          epoch_ms(created_at) AS created_at_ms, epoch_ms(updated_at) AS updated_at_ms,
          epoch_ms(deleted_at) AS deleted_at_ms)sql"};

// $1 chat, $2 owner, $3 the other members (repeats and the owner are skipped).
inline constexpr Statement kAddGroupMembers{"chats.add_group_members", R"sql(
INSERT INTO chat_members (chat_id, user_id, role)
SELECT $1::bigint, $2::bigint, 'owner'
UNION ALL
SELECT DISTINCT $1::bigint, m.user_id, 'member'
FROM unnest($3::bigint[]) AS m(user_id)
WHERE m.user_id <> $2::bigint)sql"};

// Creates the direct chat of the pair ($1 < $2) unless it exists. Nothing is
// returned when it does; kFindDirect then reads it. ON CONFLICT waits for a
// concurrent creator of the same pair, so two first messages cannot make two chats.
inline constexpr Statement kInsertDirect{"chats.insert_direct", R"sql(
INSERT INTO chats (kind, dm_user_lo, dm_user_hi)
VALUES ('direct', $1::bigint, $2::bigint)
ON CONFLICT (dm_user_lo, dm_user_hi) WHERE dm_user_lo IS NOT NULL DO NOTHING
RETURNING id, kind, title, owner_id, last_seq,
          epoch_ms(created_at) AS created_at_ms, epoch_ms(updated_at) AS updated_at_ms,
          epoch_ms(deleted_at) AS deleted_at_ms)sql"};

inline constexpr Statement kFindDirect{"chats.find_direct", R"sql(
SELECT id, kind, title, owner_id, last_seq,
       epoch_ms(created_at) AS created_at_ms, epoch_ms(updated_at) AS updated_at_ms,
       epoch_ms(deleted_at) AS deleted_at_ms
FROM chats
WHERE dm_user_lo = $1::bigint AND dm_user_hi = $2::bigint)sql"};

inline constexpr Statement kAddDirectMembers{"chats.add_direct_members", R"sql(
INSERT INTO chat_members (chat_id, user_id, role)
VALUES ($1::bigint, $2::bigint, 'member'), ($1::bigint, $3::bigint, 'member'))sql"};

inline constexpr Statement kFindChat{"chats.find", R"sql(
SELECT id, kind, title, owner_id, last_seq,
       epoch_ms(created_at) AS created_at_ms, epoch_ms(updated_at) AS updated_at_ms,
       epoch_ms(deleted_at) AS deleted_at_ms
FROM chats
WHERE id = $1::bigint)sql"};

// Membership changes take the same row lock as message writers (see
// kLockChatsForAppend), so a member removed is refused from the next batch on,
// and never in the middle of one. NO KEY UPDATE, not UPDATE: it must not block
// the KEY SHARE locks that foreign-key checks on chats take.
inline constexpr Statement kLockGroupForMembership{"chats.lock_group_for_membership", R"sql(
SELECT id, owner_id
FROM chats
WHERE id = $1::bigint AND kind = 'group' AND deleted_at IS NULL
FOR NO KEY UPDATE)sql"};

// How many members the locked chat $1 has, and whether user $2 is one of them
// (the group cap, checked under the chat's lock).
inline constexpr Statement kMemberCount{"members.count", R"sql(
SELECT count(*) AS members, coalesce(bool_or(user_id = $2::bigint), false) AS member
FROM chat_members
WHERE chat_id = $1::bigint)sql"};

inline constexpr Statement kTouchChat{"chats.touch", R"sql(
UPDATE chats SET updated_at = now() WHERE id = $1::bigint)sql"};

inline constexpr Statement kAddMember{"members.add", R"sql(
INSERT INTO chat_members (chat_id, user_id, role)
VALUES ($1::bigint, $2::bigint, 'member')
ON CONFLICT (chat_id, user_id) DO NOTHING)sql"};

inline constexpr Statement kRemoveMember{"members.remove", R"sql(
DELETE FROM chat_members WHERE chat_id = $1::bigint AND user_id = $2::bigint)sql"};

inline constexpr Statement kListMembers{"members.list", R"sql(
SELECT chat_id, user_id, role, epoch_ms(joined_at) AS joined_at_ms, delivered_seq, read_seq
FROM chat_members
WHERE chat_id = $1::bigint
ORDER BY user_id)sql"};

}  // namespace chat::storage::sql
