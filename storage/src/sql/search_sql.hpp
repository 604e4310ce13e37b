#pragma once
// The statement of message search (message_search.cpp). Parameters:
//   $1 the user, $2 the query text, $3 one chat or NULL,
//   $4 $5 $6 the cursor (time in µs, chat, seq) or $4 NULL, $7 the limit,
//   $8 the characters of context kept either side of the match.
//
// Chat by chat over the user's live chats (now), each giving its newest
// $7 hits, then the newest $7 of those. Planned for each execution
// (plan_each_time): the pattern is then a constant that the planner weighs
// against the column's statistics, and for each chat it probes the index
// (migration 9: the chat's entries and the query's trigrams intersected in
// the index) for a rare text, or reads the chat newest first and stops at
// the limit for a common one or a query too short to have a trigram.
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

inline constexpr Statement kSearchMessages{"search.messages", R"sql(
WITH hits AS (
  SELECT x.chat_id, x.seq, x.sender_id, x.created_at, x.body ->> 'text' AS text
  FROM (
    SELECT m.chat_id FROM chat_members m
    JOIN chats c ON c.id = m.chat_id
    WHERE m.user_id = $1::bigint AND c.deleted_at IS NULL
      AND ($3::bigint IS NULL OR m.chat_id = $3::bigint)
  ) u
  CROSS JOIN LATERAL (
    SELECT * FROM messages x
    WHERE x.chat_id = u.chat_id
      -- What may be found: the index's predicate (migration 9), word for word.
      AND x.deleted_at IS NULL AND x.type IN ('text', 'image', 'voice', 'file')
      -- The query as an ILIKE pattern whose %, _ and \ are plain characters.
      AND (x.body ->> 'text') ILIKE ('%' || replace(replace(replace($2::text, '\', '\\'), '%', '\%'), '_', '\_') || '%')
      -- Strictly older than the cursor in (time, chat, seq) order; the first
      -- term bounds an index scan by time. bigint * interval goes through
      -- float8: exact for microsecond times before the year 2255.
      AND ($4::bigint IS NULL
           OR (x.created_at <= 'epoch'::timestamptz + $4::bigint * interval '1 microsecond'
               AND (x.created_at, x.chat_id, x.seq)
                   < ('epoch'::timestamptz + $4::bigint * interval '1 microsecond', $5::bigint, $6::bigint)))
    ORDER BY x.created_at DESC, x.seq DESC
    LIMIT $7::bigint
  ) x
  ORDER BY x.created_at DESC, x.chat_id DESC, x.seq DESC
  LIMIT $7::bigint
)
-- Each hit with its snippet: the match and up to $8 characters either side,
-- "…" where the text was cut. strpos() on lower() finds what ILIKE matched
-- (it compares lower() of both); greatest() only keeps substr() in range.
SELECT h.chat_id, h.seq, h.sender_id, epoch_ms(h.created_at) AS created_at_ms,
       (extract(epoch FROM h.created_at) * 1000000)::bigint AS created_at_us,
       CASE WHEN s.from_char > 1 THEN '…' ELSE '' END
         || substr(h.text, s.from_char, s.chars)
         || CASE WHEN s.from_char + s.chars <= char_length(h.text) THEN '…' ELSE '' END AS snippet
FROM hits h
CROSS JOIN LATERAL (SELECT greatest(1, strpos(lower(h.text), lower($2::text))) AS at) a
CROSS JOIN LATERAL (SELECT greatest(1, a.at - $8::int) AS from_char) f
CROSS JOIN LATERAL (SELECT f.from_char, a.at - f.from_char + char_length($2::text) + $8::int AS chars) s
ORDER BY h.created_at DESC, h.chat_id DESC, h.seq DESC)sql",
                                           /*plan_each_time=*/true};

}  // namespace chat::storage::sql
