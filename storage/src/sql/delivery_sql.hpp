#pragma once
// Statements of the bridge's message path besides append (messages_sql.hpp):
// resolving the direct chats that dm topics name, and the notification jobs
// written in the same transaction as a batch.
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

// The direct chat of each (a, b) pair, if it exists, and whether both users
// exist; a deleted account does not (it keeps its row, anonymised, but
// nothing new reaches it). One row per input pair, in input order.
inline constexpr Statement kFindDirectChats{"delivery.find_direct_chats", R"sql(
SELECT p.ord, c.id AS chat_id,
       EXISTS (SELECT 1 FROM users u WHERE u.id = p.a AND u.deleted_at IS NULL) AS a_exists,
       EXISTS (SELECT 1 FROM users u WHERE u.id = p.b AND u.deleted_at IS NULL) AS b_exists
FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS p(a, b, ord)
LEFT JOIN chats c ON c.dm_user_lo = least(p.a, p.b) AND c.dm_user_hi = greatest(p.a, p.b)
ORDER BY p.ord)sql"};

// Creates the direct chats of the pairs ($1 lo < $2 hi, both users existing)
// with their two members. Pairs a concurrent writer created meanwhile are
// skipped (ON CONFLICT waits for it); kFindDirectChats finds them afterwards.
// In key order, so two creators of overlapping pairs wait in one order.
inline constexpr Statement kCreateDirectChats{"delivery.create_direct_chats", R"sql(
WITH created AS (
  INSERT INTO chats (kind, dm_user_lo, dm_user_hi)
  SELECT 'direct', p.lo, p.hi
  FROM unnest($1::bigint[], $2::bigint[]) AS p(lo, hi)
  ORDER BY p.lo, p.hi
  ON CONFLICT (dm_user_lo, dm_user_hi) WHERE dm_user_lo IS NOT NULL DO NOTHING
  RETURNING id, dm_user_lo, dm_user_hi
),
members AS (
  INSERT INTO chat_members (chat_id, user_id, role)
  SELECT id, dm_user_lo, 'member' FROM created
  UNION ALL
  SELECT id, dm_user_hi, 'member' FROM created
)
SELECT id FROM created)sql"};

// One notification job per member of the chat other than the sender who has
// no online device, for each message just stored ($1 chat, $2 seq, $3 sender).
inline constexpr Statement kQueueNotifications{"delivery.queue_notifications", R"sql(
INSERT INTO notification_outbox (user_id, chat_id, seq)
SELECT m.user_id, s.chat_id, s.seq
FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS s(chat_id, seq, sender_id)
JOIN chat_members m ON m.chat_id = s.chat_id AND m.user_id <> s.sender_id
WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.user_id = m.user_id AND d.online)
ORDER BY m.user_id, s.chat_id, s.seq
ON CONFLICT ON CONSTRAINT notification_outbox_message_key DO NOTHING)sql"};

}  // namespace chat::storage::sql
