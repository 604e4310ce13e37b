#pragma once
// Statements of the notification outbox's worker.
#include "chat/storage/statement.hpp"
#include "unread_sql.hpp"

namespace chat::storage::sql {

// Claims up to $1 due jobs for $2 ms (a lease: a worker that dies leaves them
// to be claimed again when it runs out), counting the attempt, and returns
// what the webhook payload needs. SKIP LOCKED: workers of two bridges share
// the outbox without waiting on each other. badge: the recipient's unread
// messages (of content, unread_sql.hpp) over its chats that are not deleted. already_read, muted: read
// now, when the notification is about to be sent (a read on another device
// or a mute since the message was stored means no push).
inline constexpr Statement kClaimNotifications{"notifications.claim", R"sql(
WITH due AS (
  SELECT id FROM notification_outbox
  WHERE next_attempt_at <= now()
  ORDER BY next_attempt_at
  LIMIT $1::bigint
  FOR UPDATE SKIP LOCKED
),
claimed AS (
  UPDATE notification_outbox o
  SET attempts = o.attempts + 1,
      next_attempt_at = now() + $2::bigint * interval '1 millisecond'
  FROM due WHERE o.id = due.id
  RETURNING o.id, o.user_id, o.chat_id, o.seq, o.attempts
)
SELECT cl.id, cl.user_id, cl.chat_id, cl.seq, cl.attempts,
       msg.sender_id, coalesce(u.display_name, '') AS sender_name,
       c.kind, c.title, msg.type,
       CASE WHEN msg.deleted_at IS NULL THEN msg.body ELSE '{}'::jsonb END::text AS body,
       epoch_ms(msg.created_at) AS created_at_ms,
       coalesce((SELECT cm.read_seq >= cl.seq FROM chat_members cm
                 WHERE cm.chat_id = cl.chat_id AND cm.user_id = cl.user_id), false) AS already_read,
       coalesce((SELECT cm.muted_until > now() FROM chat_members cm
                 WHERE cm.chat_id = cl.chat_id AND cm.user_id = cl.user_id), false) AS muted,
       msg.type IN ('text', 'image', 'voice', 'file') AS content_message,
       (SELECT coalesce(sum()sql" CHAT_UNREAD_OF_MEMBER("c2", "cm") R"sql(), 0)
        FROM chat_members cm JOIN chats c2 ON c2.id = cm.chat_id AND c2.deleted_at IS NULL
        WHERE cm.user_id = cl.user_id) AS badge
FROM claimed cl
JOIN messages msg ON msg.chat_id = cl.chat_id AND msg.seq = cl.seq
JOIN chats c ON c.id = cl.chat_id
LEFT JOIN users u ON u.id = msg.sender_id
ORDER BY cl.id)sql"};

inline constexpr Statement kDeleteNotifications{"notifications.delete", R"sql(
DELETE FROM notification_outbox WHERE id = ANY($1::bigint[]))sql"};

// After a failed attempt: due again in $2 ms.
inline constexpr Statement kRescheduleNotification{"notifications.reschedule", R"sql(
UPDATE notification_outbox
SET next_attempt_at = now() + $2::bigint * interval '1 millisecond', last_error = $3::text
WHERE id = $1::bigint)sql"};

inline constexpr Statement kCountNotifications{"notifications.count", R"sql(
SELECT count(*) AS n FROM notification_outbox)sql"};

}  // namespace chat::storage::sql
