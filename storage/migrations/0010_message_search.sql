-- Schema v9: search over message text (issue #15, the `search` request).
--
-- What is searched: the current text (body->>'text') of the messages that
-- carry one for people to read: text, and the captions of image, voice and
-- file messages; never a message whose content was deleted (deleted_at, set
-- by moderation and by a delete for everyone). An edit replaces the target's
-- body.text, so an edited message is found by its latest text. Rows that act
-- on messages (edits, deletions, reactions) are not searched themselves.
--
-- How: substring search (ILIKE '%…%') served by a trigram index (pg_trgm, in
-- PostgreSQL's contrib and trusted, so the database's owner may create it).
-- Trigrams need no word splitting and no language configuration, so Latin,
-- Cyrillic, Greek, Arabic and CJK text (which has no spaces between words)
-- are found alike, case-insensitively. A text-search configuration
-- (to_tsvector) would need one dictionary per language and finds nothing
-- inside unsegmented CJK text.
--
-- The index's first column is the chat (btree_gin, contrib and trusted too):
-- a search runs chat by chat over the user's chats, and each probe
-- intersects that chat's entries with the query's trigrams inside the index,
-- so its cost follows the user's own history, not the whole table's (a
-- trigram-only index made a common word fetch every matching row of every
-- chat before the membership filter). For a word in most messages the
-- planner reads the chat newest first instead and stops at the limit.
--
-- Trigrams keep only the characters the database's LC_CTYPE calls letters or
-- digits, and fold case with it: under LC_CTYPE "C" every non-ASCII character
-- is dropped and never folded (Cyrillic and CJK text would be found only by a
-- scan of every candidate, and Cyrillic case-sensitively). The clusters the
-- platform creates (scripts/stack, tests/support) use C.UTF-8; a database on
-- "C" gets the warning below, and keeps working, slowly.
--
-- The index is kept up as messages arrive: GIN's pending list (fastupdate, on
-- by default) takes each new row's entries in one append and merges them
-- into the index in bulk (autovacuum, or the insert that fills the list to
-- gin_pending_list_limit, 4 MB), which keeps the message path's cost low. A
-- search reads the pending list too (so a stored message is found at once),
-- sequentially: the longer the list, the slower a search until the merge.
-- docs/benchmarks.md measures both sides ("Search").

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- Partial: only searchable rows, with the very predicate the search statement
-- states (storage/src/sql/search_sql.hpp), so the planner can use it.
CREATE INDEX messages_search_idx ON messages USING gin (chat_id, (body ->> 'text') gin_trgm_ops)
  WHERE deleted_at IS NULL AND type IN ('text', 'image', 'voice', 'file');

DO $$
BEGIN
  IF (SELECT datctype FROM pg_database WHERE datname = current_database()) IN ('C', 'POSIX') THEN
    RAISE WARNING 'database % has LC_CTYPE C: message search ignores non-ASCII letters in its index '
                  '(create the cluster with --lc-ctype=C.UTF-8; docs/bridge.md, "Search")', current_database();
  END IF;
END
$$;
