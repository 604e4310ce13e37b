#pragma once
// Statements of receipts: members' delivered/read cursors, forward only.
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

// Resolves a batch of receipts to one target per (chat, member) and locks
// those member rows in key order (two writers never deadlock on them).
//   $1 receipt index, $2 chat (0: a direct chat, by $3 peer and $4 reader),
//   $3 peer, $4 reader, $5 1 for read / 0 for delivered, $6 seq (0: none);
//   refs: $7 receipt index, $8 sender, $9 client id.
// A ref counts only when it names a message of the receipt's chat. Targets
// are clamped to the chat's last_seq: a cursor never points past the newest
// message. Read implies delivered.
inline constexpr Statement kResolveReceipts{"receipts.resolve", R"sql(
WITH r AS (
  SELECT r.idx, coalesce(nullif(r.chat_id, 0), d.id) AS chat_id, r.reader, r.is_read, r.seq
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
       AS r(idx, chat_id, peer, reader, is_read, seq)
  LEFT JOIN chats d ON r.chat_id = 0 AND r.peer <> r.reader
                   AND d.dm_user_lo = least(r.peer, r.reader) AND d.dm_user_hi = greatest(r.peer, r.reader)
),
refs AS (
  SELECT f.idx, max(c.seq) AS seq
  FROM unnest($7::bigint[], $8::bigint[], $9::text[]) AS f(idx, sender_id, client_msg_id)
  JOIN r ON r.idx = f.idx
  JOIN message_client_ids c ON c.sender_id = f.sender_id AND c.client_msg_id = f.client_msg_id
                           AND c.chat_id = r.chat_id
  GROUP BY f.idx
),
targets AS (
  SELECT r.chat_id, r.reader AS user_id,
         max(greatest(r.seq, coalesce(refs.seq, 0))) AS delivered,
         max(CASE WHEN r.is_read = 1 THEN greatest(r.seq, coalesce(refs.seq, 0)) ELSE 0 END) AS read
  FROM r LEFT JOIN refs ON refs.idx = r.idx
  WHERE r.chat_id IS NOT NULL
  GROUP BY r.chat_id, r.reader
)
SELECT m.chat_id, m.user_id,
       least(t.delivered, c.last_seq) AS delivered, least(t.read, c.last_seq) AS read
FROM targets t
JOIN chats c ON c.id = t.chat_id
JOIN chat_members m ON m.chat_id = t.chat_id AND m.user_id = t.user_id
ORDER BY m.chat_id, m.user_id
FOR NO KEY UPDATE OF m)sql"};

// Moves cursors forward ($1 chat, $2 user, $3 delivered, $4 read); rows whose
// cursors are already there are left alone. Returns the rows that moved.
inline constexpr Statement kAdvanceCursors{"receipts.advance", R"sql(
UPDATE chat_members m
SET delivered_seq = greatest(m.delivered_seq, t.delivered, t.read),
    read_seq = greatest(m.read_seq, t.read)
FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) AS t(chat_id, user_id, delivered, read)
WHERE m.chat_id = t.chat_id AND m.user_id = t.user_id
  AND (greatest(t.delivered, t.read) > m.delivered_seq OR t.read > m.read_seq)
RETURNING m.chat_id, m.user_id, m.delivered_seq, m.read_seq)sql"};

}  // namespace chat::storage::sql
