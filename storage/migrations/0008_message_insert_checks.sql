-- Schema v8: per-statement checks instead of per-row ones on the message path.
--
-- Measured with chat-append-cost (storage/tools; the bridge's own append, 80
-- messages over 4 chats per transaction, the backend's CPU time): v7 cost
-- ~50 µs of PostgreSQL CPU per stored message, of which ~15 µs was the
-- foreign key of messages to chats. A foreign key is checked by an
-- after-row trigger that runs a query through SPI for every row, although a
-- batch names a handful of chats (docs/benchmarks.md, "PostgreSQL's share").
-- With notifications on, each job's key to its message cost ~10 µs more.


-- messages.chat_id -> chats: one check per statement. The statement triggers
-- below keep what the key gave:
-- * a row names an existing chat: checked over the statement's new rows at
--   once, the chats locked FOR KEY SHARE as the key's check locks them, so a
--   chat cannot be deleted under a transaction that stores into it (the
--   bridge holds a stronger lock on them already: FOR NO KEY UPDATE). The
--   error is the key's: SQLSTATE 23503, constraint messages_chat_id_fkey;
-- * ON DELETE CASCADE: deleting chats deletes their messages (which takes
--   their client ids, notification jobs and media references with them).
ALTER TABLE messages DROP CONSTRAINT messages_chat_id_fkey;

CREATE FUNCTION messages_check_chats() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  missing bigint;
BEGIN
  -- One query per statement: each distinct chat is looked up and locked FOR
  -- KEY SHARE (which waits for a concurrent deletion and then finds the row
  -- gone); the first one missing is the error. (Two queries, a lock and then
  -- a check, cost more than the per-row key at 4 messages a statement.)
  SELECT d.chat_id INTO missing
  FROM (SELECT DISTINCT n.chat_id FROM added n) d
  WHERE NOT EXISTS (SELECT 1 FROM chats c WHERE c.id = d.chat_id FOR KEY SHARE OF c)
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "messages" violates foreign key constraint "messages_chat_id_fkey"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'messages_chat_id_fkey',
            TABLE = 'messages', DETAIL = format('Key (chat_id)=(%s) is not present in table "chats".', missing);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER messages_check_chats_inserted
  AFTER INSERT ON messages
  REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION messages_check_chats();

-- Nothing moves a message to another chat; should anything try, the row is
-- checked as the key checked it (only when chat_id changes: moderation's
-- updates cost nothing).
CREATE FUNCTION messages_check_moved_chat() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM chats c WHERE c.id = NEW.chat_id FOR KEY SHARE OF c;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'insert or update on table "messages" violates foreign key constraint "messages_chat_id_fkey"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'messages_chat_id_fkey',
            TABLE = 'messages', DETAIL = format('Key (chat_id)=(%s) is not present in table "chats".', NEW.chat_id);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER messages_check_moved_chat
  AFTER UPDATE OF chat_id ON messages
  FOR EACH ROW WHEN (OLD.chat_id IS DISTINCT FROM NEW.chat_id)
  EXECUTE FUNCTION messages_check_moved_chat();

CREATE FUNCTION chats_delete_messages() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM messages m
  USING gone g
  WHERE m.chat_id = g.id;
  RETURN NULL;
END;
$$;

CREATE TRIGGER chats_delete_messages
  AFTER DELETE ON chats
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION chats_delete_messages();


-- message_client_ids (chat_id, seq) served only v5's trigger that removes a
-- deleted message's client id; the deleted rows carry the client id's own key
-- (sender, client id), so the primary key finds them and this index, one more
-- entry written per stored message, goes.
DROP INDEX message_client_ids_message_idx;

CREATE OR REPLACE FUNCTION message_client_ids_follow_deletes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM message_client_ids c
  USING gone g
  WHERE c.sender_id = g.sender_id AND c.client_msg_id = g.client_msg_id
    AND c.chat_id = g.chat_id AND c.seq = g.seq;
  RETURN NULL;
END;
$$;


-- notification_outbox (chat_id, seq) -> messages: the jobs are inserted from
-- the messages of the same transaction, by the only writer of both (as
-- message_client_ids, v5); the key's check was a query per job. What it still
-- gave, jobs going with their message (ON DELETE CASCADE), is one DELETE per
-- deleting statement below; the outbox holds pending jobs only, so its scan
-- is short. The key to users stays: accounts are anonymised, not deleted, so
-- its lookups always hit the same few cached rows (~3 µs a job).
ALTER TABLE notification_outbox DROP CONSTRAINT notification_outbox_message_fkey;

CREATE FUNCTION notification_outbox_follow_deletes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM notification_outbox o
  USING gone g
  WHERE o.chat_id = g.chat_id AND o.seq = g.seq;
  RETURN NULL;
END;
$$;

CREATE TRIGGER messages_notifications_follow_deletes
  AFTER DELETE ON messages
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION notification_outbox_follow_deletes();
