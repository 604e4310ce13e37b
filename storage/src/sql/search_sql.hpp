#pragma once
// The statements of message search (message_search.cpp), over the side table
// message_search (migration 0015_search_side_table.sql) that the search
// indexer fills. Parameters, the same for both:
//   $1 the user, $2 the query text, $3 one chat or NULL,
//   $4 $5 $6 the cursor (time in µs, chat, seq) or $4 NULL, $7 the limit,
//   $8 the characters of context kept either side of the match,
//   $9 the rows the recent scan may read in all (kSearchRecent only).
// Both answer the same columns; every hit is rechecked against messages (not
// deleted, current text holds the query), so a copy the indexer has not yet
// brought up to date after an edit or a moderation is never an answer.
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

// The caller's live chats (now), or the one asked for.
#define CHAT_SEARCH_USER_CHATS                             \
  "SELECT m.chat_id FROM chat_members m "                  \
  "JOIN chats c ON c.id = m.chat_id "                      \
  "WHERE m.user_id = $1::bigint AND c.deleted_at IS NULL " \
  "AND ($3::bigint IS NULL OR m.chat_id = $3::bigint)"

// The query as a LIKE pattern, folded to lower case, whose %, _ and \ are
// plain characters. `folded LIKE pattern` is what `text ILIKE query` does
// (lower() of both), with the text folded once by the indexer.
#define CHAT_SEARCH_PATTERN \
  "lower('%' || replace(replace(replace($2::text, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')"

// The search table's row s strictly older than the cursor in (time, chat, seq)
// order. bigint * interval goes through float8: exact for microsecond times
// before the year 2255.
#define CHAT_SEARCH_OLDER_THAN_CURSOR                          \
  "($4::bigint IS NULL OR (s.created_at, s.chat_id, s.seq) < " \
  "('epoch'::timestamptz + $4::bigint * interval '1 microsecond', $5::bigint, $6::bigint))"

// Each hit of `hits` (chat_id, seq, created_at, text) with its snippet: the
// match and up to $8 characters either side, "…" where the text was cut.
// strpos() on lower() finds what ILIKE matched (it compares lower() of both);
// greatest() only keeps substr() in range.
#define CHAT_SEARCH_SNIPPET_COLUMNS                                                              \
  "h.chat_id, h.seq, h.sender_id, epoch_ms(h.created_at) AS created_at_ms, "                     \
  "(extract(epoch FROM h.created_at) * 1000000)::bigint AS created_at_us, "                      \
  "CASE WHEN s.from_char > 1 THEN '…' ELSE '' END "                                            \
  "|| substr(h.text, s.from_char, s.chars) "                                                     \
  "|| CASE WHEN s.from_char + s.chars <= char_length(h.text) THEN '…' ELSE '' END AS snippet " \
  "FROM hits h "                                                                                 \
  "CROSS JOIN LATERAL (SELECT greatest(1, strpos(lower(h.text), lower($2::text))) AS at) a "     \
  "CROSS JOIN LATERAL (SELECT greatest(1, a.at - $8::int) AS from_char) f "                      \
  "CROSS JOIN LATERAL (SELECT f.from_char, a.at - f.from_char + char_length($2::text) + $8::int AS chars) s "

// The recent scan: each of the caller's chats read newest first (the side
// table's primary key), at most $9 rows in all (shared out evenly, at least
// the limit per chat), the hits kept. The answer is exact down to the edge:
// the newest row at which a chat's read stopped with rows left. Every row not
// read is older than that, so hits newer than the edge are the newest hits of
// all; `complete` says they are at least $7 (or no chat was cut short), and
// the caller then has its answer from a few thousand rows read in key order,
// however common the word. Otherwise it asks kSearchIndexed. One row with
// NULL hit columns when there is no hit.
inline constexpr Statement kSearchRecent{"search.recent", R"sql(
WITH u AS ()sql" CHAT_SEARCH_USER_CHATS R"sql(),
share AS (SELECT greatest($7::bigint, $9::bigint / greatest(count(*), 1)) AS rows FROM u),
scanned AS (
  SELECT u.chat_id, x.seq, x.created_at, x.hit, x.n
  FROM u CROSS JOIN share
  CROSS JOIN LATERAL (
    SELECT s.seq, s.created_at, s.folded_text LIKE )sql" CHAT_SEARCH_PATTERN R"sql( AS hit,
           row_number() OVER (ORDER BY s.seq DESC) AS n
    FROM message_search s
    WHERE s.chat_id = u.chat_id AND )sql" CHAT_SEARCH_OLDER_THAN_CURSOR R"sql(
    ORDER BY s.seq DESC
    LIMIT share.rows
  ) x
),
edge AS (
  SELECT s.created_at, s.chat_id, s.seq FROM scanned s, share WHERE s.n = share.rows
  ORDER BY s.created_at DESC, s.chat_id DESC, s.seq DESC
  LIMIT 1
),
-- The newest $7 hits newer than the edge, then rechecked: a copy the
-- indexer has not yet brought up to date drops out, and `complete` is then
-- false (fewer than $7), which sends the caller to the index.
exact AS (
  SELECT x.chat_id, x.seq, x.created_at
  FROM scanned x
  WHERE x.hit
    AND NOT EXISTS (SELECT 1 FROM edge e WHERE (x.created_at, x.chat_id, x.seq) < (e.created_at, e.chat_id, e.seq))
  ORDER BY x.created_at DESC, x.chat_id DESC, x.seq DESC
  LIMIT $7::bigint
),
hits AS (
  SELECT x.chat_id, x.seq, x.created_at, m.sender_id, m.body ->> 'text' AS text
  FROM exact x
  JOIN messages m ON m.chat_id = x.chat_id AND m.seq = x.seq
  WHERE m.deleted_at IS NULL AND lower(m.body ->> 'text') LIKE )sql" CHAT_SEARCH_PATTERN R"sql(
),
answer AS (SELECT )sql" CHAT_SEARCH_SNIPPET_COLUMNS R"sql()
SELECT (NOT EXISTS (SELECT 1 FROM edge) OR (SELECT count(*) FROM hits) >= $7::bigint) AS complete, a.*
FROM (SELECT 1) one
LEFT JOIN answer a ON true
ORDER BY a.created_at_us DESC, a.chat_id DESC, a.seq DESC)sql",
                                         /*plan_each_time=*/true};

// The indexed search, when the recent scan was not enough (a rare text, or a
// common one far back): chat by chat over the caller's chats, each giving its
// newest $7 hits, then the newest $7 of those. Planned for each execution:
// the pattern is then a constant the planner weighs against the column's
// statistics, and for each chat it probes the index (the chat's entries and
// the query's trigrams intersected in the index) for a rare text, or reads
// the chat newest first for a query too short to have a trigram.
inline constexpr Statement kSearchIndexed{"search.indexed", R"sql(
WITH u AS ()sql" CHAT_SEARCH_USER_CHATS R"sql(),
hits AS (
  SELECT x.chat_id, x.seq, x.sender_id, x.created_at, x.text
  FROM u
  CROSS JOIN LATERAL (
    SELECT s.chat_id, s.seq, s.created_at, m.sender_id, m.body ->> 'text' AS text
    FROM message_search s
    JOIN messages m ON m.chat_id = s.chat_id AND m.seq = s.seq
    WHERE s.chat_id = u.chat_id
      AND s.folded_text LIKE )sql" CHAT_SEARCH_PATTERN R"sql(
      AND m.deleted_at IS NULL AND lower(m.body ->> 'text') LIKE )sql" CHAT_SEARCH_PATTERN R"sql(
      AND )sql" CHAT_SEARCH_OLDER_THAN_CURSOR R"sql(
    ORDER BY s.seq DESC
    LIMIT $7::bigint
  ) x
  ORDER BY x.created_at DESC, x.chat_id DESC, x.seq DESC
  LIMIT $7::bigint
)
SELECT true AS complete, )sql" CHAT_SEARCH_SNIPPET_COLUMNS R"sql(
ORDER BY h.created_at DESC, h.chat_id DESC, h.seq DESC)sql",
                                          /*plan_each_time=*/true};

#undef CHAT_SEARCH_USER_CHATS
#undef CHAT_SEARCH_PATTERN
#undef CHAT_SEARCH_OLDER_THAN_CURSOR
#undef CHAT_SEARCH_SNIPPET_COLUMNS

}  // namespace chat::storage::sql
