-- Message search off the message path (issue #15).
--
-- 0010_message_search.sql indexed messages' text in a GIN on messages itself, so every
-- stored message paid for ~150 trigram entries inside the writers'
-- transaction: the message path lost ~30 % of its throughput. Now the text is
-- copied into a side table that carries the index, by a background indexer
-- (the bridge's search indexer, MessageStore::index_for_search) in batches,
-- chat by chat up to each chat's committed last_seq: a chat's seqs commit in
-- order under its row lock, so a per-chat watermark misses nothing. A message
-- is found once the indexer has passed it (docs/bridge.md, "Search").
--
-- Edits and deletions for everyone are messages of their chat with their own
-- seq, so the indexer meets them in the same walk and copies the target's
-- current text again (or removes it). Moderation (deleted_at set without a
-- message) is not walked: the search statement rechecks every hit against
-- messages (deleted_at, current text), so a stale row is never an answer.

-- The searchable text of text, image, voice and file messages not deleted,
-- folded to lower case once here: ILIKE folds both sides with lower() on
-- every row it compares (several µs for a chat message under a UTF-8
-- LC_CTYPE), while LIKE on the folded copy against the folded query is a
-- byte comparison and means the same. No foreign key (a per-row check on the indexer's bulk insert buys nothing:
-- rows whose message is gone are rechecked away, and deleting messages takes
-- theirs with them, trigger below).
CREATE TABLE message_search (
  chat_id     bigint NOT NULL,
  seq         bigint NOT NULL,
  created_at  timestamptz NOT NULL, -- the message's, for the answer's order
  folded_text text NOT NULL,       -- lower(body ->> 'text')
  PRIMARY KEY (chat_id, seq)
);

-- As 0010_message_search.sql's, on the side table: the chat first (btree_gin), so a
-- probe intersects one chat's entries with the query's trigrams in the index.
-- fastupdate (the default) lets each indexer round append its entries to the
-- pending list; the indexer merges the list after each round (searches read
-- it sequentially).
CREATE INDEX message_search_text_idx ON message_search USING gin (chat_id, folded_text gin_trgm_ops);

-- How far the indexer has walked each chat: every message with seq <=
-- indexed_seq has been indexed (or found not searchable). A chat with no row
-- has none indexed.
CREATE TABLE message_search_progress (
  chat_id     bigint PRIMARY KEY,
  indexed_seq bigint NOT NULL
);

-- What exists now is indexed here, in the migration's transaction, so that
-- search finds the history at once after the upgrade.
INSERT INTO message_search (chat_id, seq, created_at, folded_text)
SELECT chat_id, seq, created_at, lower(body ->> 'text')
FROM messages
WHERE deleted_at IS NULL AND type IN ('text', 'image', 'voice', 'file') AND body ->> 'text' IS NOT NULL;
INSERT INTO message_search_progress (chat_id, indexed_seq)
SELECT id, last_seq FROM chats WHERE last_seq > 0;

-- Off the message path from now on.
DROP INDEX messages_search_idx;

-- Deleting messages (a chat's deletion, a purge) takes their search rows, and
-- deleting a chat its progress, per statement (as message_client_ids, v5).
CREATE FUNCTION message_search_follow_deletes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM message_search s
  USING gone g
  WHERE s.chat_id = g.chat_id AND s.seq = g.seq;
  RETURN NULL;
END;
$$;

CREATE TRIGGER messages_search_follow_deletes
  AFTER DELETE ON messages
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION message_search_follow_deletes();

CREATE FUNCTION message_search_progress_follow_chats() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM message_search_progress p
  USING gone g
  WHERE p.chat_id = g.id;
  RETURN NULL;
END;
$$;

CREATE TRIGGER chats_search_progress_follow_deletes
  AFTER DELETE ON chats
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION message_search_progress_follow_chats();
