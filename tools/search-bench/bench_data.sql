-- Data for chat-search-bench (scripts/bench-search): :messages messages over
-- :chats groups of :members members each, :chats users, written straight into
-- the schema (a benchmark's load, not the message path). Run with psql:
--   psql -v messages=1000000 -v chats=1000 -v members=20 -f bench_data.sql
--
-- Text: sentences of 6 to 12 words from a vocabulary of 3000 invented words in
-- each of three scripts (Latin 70 % of messages, Cyrillic 20 %, CJK 10 %),
-- each word drawn with a skew (rank = 3000 * u^3) so that a few words are in
-- most messages and most words in few, as in real chat text. The vocabulary
-- stays in the table search_bench_vocab, where the benchmark takes its queries.
\set ON_ERROR_STOP 1
SET synchronous_commit = off;

CREATE TABLE search_bench_vocab (id int PRIMARY KEY, script text NOT NULL, word text NOT NULL);
-- Latin and Cyrillic: three syllables from 20 (8000 combinations, the first 3000 used).
INSERT INTO search_bench_vocab
SELECT k + off, script, s[1 + k % 20] || s[1 + (k / 20) % 20] || s[1 + (k / 400) % 20]
FROM generate_series(0, 2999) k,
     (VALUES (0, 'latin', '{ka,lo,mi,ter,san,dor,vel,pru,nes,qua,bi,zum,tra,gen,hol,fi,rav,ost,lem,cu}'::text[]),
             (3000, 'cyrillic', '{ка,ло,ми,тер,сан,дор,вел,пру,нес,жа,би,зум,тра,ген,хол,фи,рав,ост,лем,щу}'::text[]))
       AS v(off, script, s);
-- CJK: two ideographs per word (CJK words are often two characters).
INSERT INTO search_bench_vocab
SELECT 6000 + k, 'cjk', chr(19968 + k % 1500) || chr(21468 + k / 2)
FROM generate_series(0, 2999) k;

INSERT INTO users (username) SELECT 'sb' || g FROM generate_series(1, :chats) g;
CREATE TEMP TABLE bench_users AS
  SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM users WHERE username ~ '^sb[0-9]+$';

-- Groups of :members: chat c has users (37 c + 101 j) mod :chats, j < :members
-- (distinct when 101 and :chats are coprime); the first is the owner.
INSERT INTO chats (kind, title, owner_id)
SELECT 'group', 'bench ' || c, (SELECT id FROM bench_users WHERE n = (37 * c) % :chats)
FROM generate_series(0, :chats - 1) c;
CREATE TEMP TABLE bench_chats AS
  SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM chats WHERE title ~ '^bench [0-9]+$';
INSERT INTO chat_members (chat_id, user_id, role)
SELECT c.id, u.id, CASE WHEN j = 0 THEN 'owner' ELSE 'member' END
FROM bench_chats c, generate_series(0, :members - 1) j
JOIN bench_users u ON true
WHERE u.n = (37 * c.n + 101 * j) % :chats
ON CONFLICT DO NOTHING;

-- The search table's index is built once after the load (faster than row by row).
SELECT indexdef AS search_indexdef FROM pg_indexes WHERE indexname = 'message_search_text_idx' \gset
DROP INDEX message_search_text_idx;

-- Message i: chat i mod :chats, seq i / :chats + 1, 10 ms apart, the newest now.
INSERT INTO messages (chat_id, seq, sender_id, client_msg_id, type, body, created_at)
SELECT c.id, i / :chats + 1, u.id, 'sb' || i, 'text',
       jsonb_build_object('text', (
         SELECT string_agg(v.word, ' ' ORDER BY k)
         FROM generate_series(1, 6 + i % 7) k
         CROSS JOIN LATERAL (SELECT CASE WHEN i % 10 < 7 THEN 0 WHEN i % 10 < 9 THEN 3000 ELSE 6000 END
                                    + floor(3000 * power(random(), 3))::int + 0 * k AS id) r
         JOIN search_bench_vocab v ON v.id = r.id)),
       now() - (:messages - i) * interval '10 ms'
FROM generate_series(0, :messages - 1) i
JOIN bench_chats c ON c.n = i % :chats
JOIN bench_users u ON u.n = (37 * c.n + 101 * ((i / :chats) % :members)) % :chats;

UPDATE chats c SET last_seq = m.last FROM (SELECT chat_id, max(seq) AS last FROM messages GROUP BY chat_id) m
WHERE c.id = m.chat_id;

-- Indexed for search as the bridge's indexer would have done it, in bulk.
INSERT INTO message_search (chat_id, seq, created_at, folded_text)
SELECT m.chat_id, m.seq, m.created_at, lower(m.body ->> 'text') FROM messages m JOIN bench_chats b ON b.id = m.chat_id;
INSERT INTO message_search_progress (chat_id, indexed_seq)
SELECT c.id, c.last_seq FROM chats c JOIN bench_chats b ON b.id = c.id
ON CONFLICT (chat_id) DO UPDATE SET indexed_seq = excluded.indexed_seq;
:search_indexdef;
VACUUM ANALYZE messages;
VACUUM ANALYZE message_search;
ANALYZE chat_members;
ANALYZE chats;
