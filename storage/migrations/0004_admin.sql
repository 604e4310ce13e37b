-- Schema v4: what the admin tools need (tools/admin/, docs/admin-api.md):
-- account deletion, prefix search, message statistics, and which chats a
-- media upload was shared in.


-- Deleting an account anonymises it instead of removing the row: messages keep
-- their sender id (messages.sender_id has no foreign key, and
-- message_client_ids and direct chats reference users), and clients show them
-- as from a deleted account. The row is renamed to deleted.<id>, loses phone,
-- password and display name, and is disabled, so nobody signs in as it again.
ALTER TABLE users ADD COLUMN deleted_at timestamptz;


-- Search by username or phone prefix (`LIKE 'prefix%'`), in pages ordered by
-- the same key. A byte-order (C) index serves both the prefix range and the
-- order, whatever collation the database was created with.
CREATE INDEX users_username_c_idx ON users (username COLLATE "C");
CREATE INDEX users_phone_c_idx ON users (phone COLLATE "C") WHERE phone IS NOT NULL;


-- Messages per day. A BRIN index is a few pages for the whole table and costs
-- the message path next to nothing; rows are appended in time order, which is
-- what BRIN needs. (A btree on created_at would slow every insert.)
CREATE INDEX messages_created_at_brin_idx ON messages USING brin (created_at);


-- Where each upload was shared: one row per message that referenced it
-- (body.media.id). A chat member may download a blob when a live (not
-- moderated) message of one of its chats references it. Written by the
-- trigger below in the message's own transaction, so the bridge needs no
-- change and no writer can forget it.
CREATE TABLE media_refs (
  media_id text NOT NULL REFERENCES media (id) ON DELETE CASCADE,
  chat_id  bigint NOT NULL,
  seq      bigint NOT NULL,
  PRIMARY KEY (media_id, chat_id, seq),
  CONSTRAINT media_refs_message_fkey FOREIGN KEY (chat_id, seq)
    REFERENCES messages (chat_id, seq) ON DELETE CASCADE
);

-- The cascade from messages looks rows up by message.
CREATE INDEX media_refs_message_idx ON media_refs (chat_id, seq);
-- Blobs are stored once per content: the garbage collector asks whether any
-- upload still uses a digest before it removes the file.
CREATE INDEX media_sha256_idx ON media (sha256);


-- A message that carries media marks the upload referenced (so the garbage
-- collector keeps it) and records the chat. Only a sender that may read the
-- blob can share it: its uploader, or a member of a chat where it was shared
-- before (forwarding). Anything else (an unknown id, someone else's upload) is
-- stored as sent but grants nobody access. The trigger never raises: a bad
-- reference must not fail the bridge's batch.
CREATE FUNCTION media_referenced() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  mid text := NEW.body -> 'media' ->> 'id';
BEGIN
  IF mid IS NULL THEN
    RETURN NULL;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM media WHERE id = mid AND uploader_id = NEW.sender_id)
     AND NOT EXISTS (SELECT 1
                     FROM media_refs r
                     JOIN messages m ON m.chat_id = r.chat_id AND m.seq = r.seq AND m.deleted_at IS NULL
                     JOIN chat_members cm ON cm.chat_id = r.chat_id AND cm.user_id = NEW.sender_id
                     WHERE r.media_id = mid) THEN
    RETURN NULL;
  END IF;
  UPDATE media SET first_referenced_at = now() WHERE id = mid AND first_referenced_at IS NULL;
  -- Holds the row until commit (the collector's DELETE waits, then sees it
  -- referenced); finds nothing when the collector removed it meanwhile.
  PERFORM 1 FROM media WHERE id = mid FOR KEY SHARE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  INSERT INTO media_refs (media_id, chat_id, seq) VALUES (mid, NEW.chat_id, NEW.seq)
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

CREATE TRIGGER messages_media_refs
  AFTER INSERT ON messages
  FOR EACH ROW WHEN (NEW.body ? 'media')
  EXECUTE FUNCTION media_referenced();
