#pragma once
// Statements of the message path. The append statements take whole batches as
// arrays (unnest), so a batch costs the same few round trips whatever its size.
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

// Locks the batch's chats in id order: two writers whose batches share chats
// queue on the first shared one instead of deadlocking. (The lock is taken as
// rows leave the sort, so ORDER BY fixes the order.) In READ COMMITTED a
// writer that waited reads the last_seq its predecessor committed.
inline constexpr Statement kLockChatsForAppend{"messages.lock_chats", R"sql(
SELECT id, last_seq, deleted_at IS NOT NULL AS deleted
FROM chats
WHERE id = ANY($1::bigint[])
ORDER BY id
FOR NO KEY UPDATE)sql"};

// Which (chat, sender) pairs of the batch are memberships.
inline constexpr Statement kFindMemberships{"messages.find_memberships", R"sql(
SELECT m.chat_id, m.user_id
FROM unnest($1::bigint[], $2::bigint[]) AS k(chat_id, user_id)
JOIN chat_members m ON m.chat_id = k.chat_id AND m.user_id = k.user_id)sql",
    /*plan_each_time=*/true};

// Which (sender, client id) pairs were stored before, and where. Run after the
// chat locks, so a resend racing its original on the same chat sees it.
inline constexpr Statement kFindClientIds{"messages.find_client_ids", R"sql(
SELECT c.sender_id, c.client_msg_id, c.chat_id, c.seq, epoch_ms(m.created_at) AS created_at_ms
FROM unnest($1::bigint[], $2::text[]) AS k(sender_id, client_msg_id)
JOIN message_client_ids c ON c.sender_id = k.sender_id AND c.client_msg_id = k.client_msg_id
JOIN messages m ON m.chat_id = c.chat_id AND m.seq = c.seq)sql",
    /*plan_each_time=*/true};

// Writes a planned batch in one statement: the chats' new last_seq ($1, $2),
// the messages ($3..$8) and their client ids. The client ids go in key order,
// so two writers inserting overlapping keys wait on each other in one order.
inline constexpr Statement kInsertMessages{"messages.insert_batch", R"sql(
WITH advanced AS (
  UPDATE chats
  SET last_seq = s.last_seq
  FROM unnest($1::bigint[], $2::bigint[]) AS s(chat_id, last_seq)
  WHERE chats.id = s.chat_id
),
inserted AS (
  INSERT INTO messages (chat_id, seq, sender_id, client_msg_id, type, body)
  SELECT * FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::jsonb[])
  RETURNING chat_id, seq, sender_id, client_msg_id, created_at
),
client_ids AS (
  INSERT INTO message_client_ids (sender_id, client_msg_id, chat_id, seq)
  SELECT sender_id, client_msg_id, chat_id, seq FROM inserted ORDER BY sender_id, client_msg_id
)
SELECT chat_id, seq, epoch_ms(created_at) AS created_at_ms FROM inserted)sql"};

// A page of a chat's history in seq order. Content deleted by moderation is
// withheld; the row keeps its place.
inline constexpr Statement kHistoryAfter{"messages.history_after", R"sql(
SELECT chat_id, seq, sender_id, client_msg_id, type,
       CASE WHEN deleted_at IS NULL THEN body ELSE '{}'::jsonb END AS body,
       epoch_ms(created_at) AS created_at_ms, epoch_ms(deleted_at) AS deleted_at_ms
FROM messages
WHERE chat_id = $1::bigint AND seq > $2::bigint
ORDER BY seq
LIMIT $3::bigint)sql"};

}  // namespace chat::storage::sql
