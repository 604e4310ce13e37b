#pragma once
// Statements of the message path. The append statements take whole batches as
// arrays (unnest), so a batch costs the same few round trips whatever its size.
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

// Locks the batch's chats in id order: two writers whose batches share chats
// queue on the first shared one instead of deadlocking. (The lock is taken as
// rows leave the sort, so ORDER BY fixes the order.) In READ COMMITTED a
// writer that waited reads the last_seq its predecessor committed.
// deleted_lo/deleted_hi: a direct chat's member whose account was deleted
// (NULL for groups, which a deleted account has left).
inline constexpr Statement kLockChatsForAppend{"messages.lock_chats", R"sql(
SELECT c.id, c.last_seq, c.deleted_at IS NOT NULL AS deleted,
       (SELECT u.id FROM users u WHERE u.id = c.dm_user_lo AND u.deleted_at IS NOT NULL) AS deleted_lo,
       (SELECT u.id FROM users u WHERE u.id = c.dm_user_hi AND u.deleted_at IS NOT NULL) AS deleted_hi
FROM chats c
WHERE c.id = ANY($1::bigint[])
ORDER BY c.id
FOR NO KEY UPDATE OF c)sql"};

// Which (chat, sender) pairs of the batch are memberships. Prepared: the
// `= ANY($1)` offers its generic plan an index path into chat_members (see
// kInsertMessages); on a table of a few pages a scan stays cheaper and chosen.
inline constexpr Statement kFindMemberships{"messages.find_memberships", R"sql(
SELECT m.chat_id, m.user_id
FROM unnest($1::bigint[], $2::bigint[]) AS k(chat_id, user_id)
JOIN chat_members m ON m.chat_id = k.chat_id AND m.user_id = k.user_id
WHERE m.chat_id = ANY($1::bigint[]))sql"};

// Which (sender, client id) pairs were stored before, and where. Run after the
// chat locks, so a resend racing its original on the same chat sees it.
// Planned each time: on a large table PostgreSQL prefers a custom plan for it
// anyway (the generic one assumes 100 unnest rows), and a generic plan made
// while the table was small scans it whole for as long as it is kept.
// Two relations only: planning a three-way join (with messages, for the
// originals' server times) for every batch cost more than executing it;
// kFindServerTimes reads those times in the rare batch that has duplicates.
inline constexpr Statement kFindClientIds{"messages.find_client_ids", R"sql(
SELECT c.sender_id, c.client_msg_id, c.chat_id, c.seq
FROM unnest($1::bigint[], $2::text[]) AS k(sender_id, client_msg_id)
JOIN message_client_ids c ON c.sender_id = k.sender_id AND c.client_msg_id = k.client_msg_id)sql",
                                          /*plan_each_time=*/true};

// The server times of stored messages ($1 chat, $2 seq): the originals that a
// batch's resends are answered with.
inline constexpr Statement kFindServerTimes{"messages.find_server_times", R"sql(
SELECT m.chat_id, m.seq, epoch_ms(m.created_at) AS created_at_ms
FROM unnest($1::bigint[], $2::bigint[]) AS k(chat_id, seq)
JOIN messages m ON m.chat_id = k.chat_id AND m.seq = k.seq)sql",
                                            /*plan_each_time=*/true};

// Writes a planned batch in one statement: the chats' new last_seq ($1, $2),
// the messages ($3..$8) and their client ids. The client ids go in key order,
// so two writers inserting overlapping keys wait on each other in one order.
// `chats.id = ANY($1)` is there for the cached generic plan: joined with an
// unnest of unknown length alone, a small chats table is seq-scanned, and every
// batch then walks all the row versions its predecessors left (measured on 125
// chats in 32 pages: send->ack p50 from 1.8 to 16.7 ms over seven runs).
inline constexpr Statement kInsertMessages{"messages.insert_batch", R"sql(
WITH advanced AS (
  UPDATE chats
  SET last_seq = s.last_seq
  FROM unnest($1::bigint[], $2::bigint[]) AS s(chat_id, last_seq)
  WHERE chats.id = ANY($1::bigint[]) AND chats.id = s.chat_id
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
