#pragma once
// The search indexer's statements (message_search_index.cpp): messages' text
// copied into message_search (migration 0015_search_side_table.sql), which
// carries the trigram index, off the message path.
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

// One indexer at a time (two bridges each run one): the later waits for
// nothing and tries again on its next round. Taken before the walk, whose
// statement then sees everything the other indexer committed.
inline constexpr Statement kSearchIndexLock{"search_index.lock",
                                            "SELECT pg_try_advisory_xact_lock(hashtext('chat.message_search')) AS got"};

// One round of the walk: chats whose last_seq is past their watermark, in id
// order, up to $1 messages in all (a chat's share at most $1); for each, the
// messages after the watermark. Searchable ones are copied with their current
// text (an edit later in the same walk finds the copy already current); an
// edit or a delete copies its target again, or removes it when it is no
// longer searchable; then the watermarks move. A chat's seqs commit in order
// under its row lock, and last_seq commits with them, so everything up to the
// last_seq this statement sees is committed and visible to it.
//
// Returns the messages walked and the chats touched, and whether chats were
// left for the next round.
inline constexpr Statement kSearchIndexRound{"search_index.round", R"sql(
WITH pending AS (
  SELECT c.id AS chat_id, c.last_seq, coalesce(p.indexed_seq, 0) AS done_seq,
         least(c.last_seq - coalesce(p.indexed_seq, 0), $1::bigint) AS share
  FROM chats c
  LEFT JOIN message_search_progress p ON p.chat_id = c.id
  WHERE c.last_seq > coalesce(p.indexed_seq, 0)
),
batch AS (
  SELECT chat_id, last_seq, done_seq, done_seq + share AS upto_seq
  FROM (SELECT *, sum(share) OVER (ORDER BY chat_id) - share AS before_me FROM pending) q
  WHERE before_me < $1::bigint
),
-- Each chat's new messages by a range of its primary key. The LIMIT keeps
-- the subquery a per-chat probe: flattened into a join, the planner (which
-- cannot see how small the batch is) hashed it against the whole table.
walked AS (
  SELECT m.chat_id, m.seq, m.type, m.body
  FROM batch b
  CROSS JOIN LATERAL (
    SELECT * FROM messages m
    WHERE m.chat_id = b.chat_id AND m.seq > b.done_seq AND m.seq <= b.upto_seq
    ORDER BY m.seq
    LIMIT b.upto_seq - b.done_seq
  ) m
),
-- The rows whose search copy may change: the new searchable messages and the
-- targets of the new edits and deletes.
touched AS (
  SELECT chat_id, seq FROM walked WHERE type IN ('text', 'image', 'voice', 'file')
  UNION
  SELECT chat_id, (body ->> 'target')::bigint FROM walked
  WHERE type IN ('edit', 'delete') AND body ->> 'target' ~ '^[0-9]{1,18}$'
),
now_is AS (
  SELECT m.chat_id, m.seq, m.created_at, lower(m.body ->> 'text') AS folded_text,
         (m.deleted_at IS NULL AND m.type IN ('text', 'image', 'voice', 'file')
          AND m.body ->> 'text' IS NOT NULL) AS searchable
  FROM touched t
  JOIN messages m ON m.chat_id = t.chat_id AND m.seq = t.seq
),
copied AS (
  INSERT INTO message_search (chat_id, seq, created_at, folded_text)
  SELECT chat_id, seq, created_at, folded_text FROM now_is WHERE searchable
  ON CONFLICT (chat_id, seq) DO UPDATE SET folded_text = excluded.folded_text
    WHERE message_search.folded_text IS DISTINCT FROM excluded.folded_text
  RETURNING 1
),
removed AS (
  DELETE FROM message_search s
  USING now_is n
  WHERE NOT n.searchable AND s.chat_id = n.chat_id AND s.seq = n.seq
  RETURNING 1
),
moved AS (
  INSERT INTO message_search_progress (chat_id, indexed_seq)
  SELECT chat_id, upto_seq FROM batch
  ON CONFLICT (chat_id) DO UPDATE
    SET indexed_seq = greatest(message_search_progress.indexed_seq, excluded.indexed_seq)
  RETURNING 1
)
SELECT (SELECT count(*) FROM walked) AS messages,
       (SELECT count(*) FROM moved) AS chats,
       (SELECT count(*) FROM copied) + (SELECT count(*) FROM removed) AS changed,
       (SELECT count(*) FROM pending) > (SELECT count(*) FROM batch)
         OR EXISTS (SELECT 1 FROM batch WHERE upto_seq < last_seq) AS more)sql"};

// After each round, in its transaction: the index's pending list (GIN's
// fastupdate: the round's entries appended unsorted) merged into the index in
// bulk. A search reads the pending list sequentially for every probe, so a
// list left to grow to gin_pending_list_limit (4 MB) made each search of a
// 1M-message table read 10 times the pages (EXPLAIN BUFFERS: 10,425 against
// 1,145 after the merge). gin_clean_pending_list needs the index's owner (or a
// member of the owning role, or a superuser), as VACUUM does: the role that
// ran the migrations, which is the bridge's role on an install by
// scripts/stack. Another role is told so (`allowed` false: the indexer warns)
// and leaves the merge to autovacuum; the CASE keeps the call from running
// then, where it would fail the round.
inline constexpr Statement kSearchIndexMerge{"search_index.merge", R"sql(
SELECT pg_has_role(c.relowner, 'USAGE') AS allowed,
       CASE WHEN pg_has_role(c.relowner, 'USAGE') THEN gin_clean_pending_list(c.oid) ELSE 0 END::bigint AS pages
FROM pg_class c
WHERE c.oid = 'message_search_text_idx'::regclass)sql"};

// Messages stored and not yet indexed (a gauge: the indexer's lag in messages).
inline constexpr Statement kSearchIndexBacklog{"search_index.backlog", R"sql(
SELECT coalesce(sum(c.last_seq - coalesce(p.indexed_seq, 0)), 0)::bigint AS backlog
FROM chats c
LEFT JOIN message_search_progress p ON p.chat_id = c.id
WHERE c.last_seq > coalesce(p.indexed_seq, 0))sql"};

}  // namespace chat::storage::sql
