-- Schema v1 of the chat platform.
--
-- Applied by the migration runner (chat-migrate, Store::migrate) inside one
-- transaction; a migration must therefore not contain BEGIN/COMMIT or
-- statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY).
-- Once released, a migration file never changes: its checksum is recorded in
-- schema_migrations and a database with a different one is refused.
--
-- Conventions
-- * Ids are bigint identities: the protocol's positive 64-bit decimal ids,
--   chosen by the server only (GENERATED ALWAYS), never reused.
-- * Times are timestamptz; the data layer reads them with epoch_ms().
-- * The wire contract's identifier rules are CHECK constraints, so no writer
--   (bridge, admin tools, a human with psql) can store what clients reject.
-- * Constraints are named explicitly: the data layer reports the name of a
--   violated one (DbError::constraint()) and callers match on it.

-- Milliseconds since the Unix epoch, the protocol's time unit. floor() rather
-- than rounding, so a stored time never reads as later than it was.
CREATE FUNCTION epoch_ms(ts timestamptz) RETURNS bigint
  LANGUAGE sql STABLE STRICT PARALLEL SAFE
  RETURN floor(extract(epoch FROM ts) * 1000)::bigint;


-- Accounts. The username is the MQTT login and is case-folded: the data layer
-- stores it lowercased and the pattern admits lowercase only, so the unique
-- constraint is case-insensitive without a functional index.
CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL,
  phone         text,
  -- Filled by the auth plugin's hashing (a PHC string); NULL: no password login.
  password_hash text,
  display_name  text NOT NULL DEFAULT '',
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  last_seen     timestamptz,
  CONSTRAINT users_username_key UNIQUE (username),
  CONSTRAINT users_username_check CHECK (username ~ '^[a-z0-9_.]{3,32}$'),
  -- UNIQUE allows any number of NULLs: the phone is optional.
  CONSTRAINT users_phone_key UNIQUE (phone),
  CONSTRAINT users_phone_check CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  CONSTRAINT users_display_name_check CHECK (char_length(display_name) <= 128)
);


-- A user's devices, one per MQTT client id "{uid}:{device}". `online` is kept
-- by the bridge from the st/{uid}/{device} topic; a user is online while any
-- device is.
CREATE TABLE devices (
  user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  device_id       text NOT NULL,
  online          boolean NOT NULL DEFAULT false,
  last_connect_at timestamptz,
  push_token      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, device_id),
  CONSTRAINT devices_device_id_check CHECK (device_id ~ '^[A-Za-z0-9_-]{1,32}$')
);


-- Direct chats and groups. last_seq is the per-chat sequence counter: a writer
-- locks the chat row (SELECT ... FOR UPDATE), takes the next numbers, and
-- stores the new value in the same transaction, which keeps seqs gapless and
-- gives every member the same order.
--
-- A direct chat names its two users as an ordered pair (lo < hi) so that
-- (a, b) and (b, a) are one row; the unique index makes opening a direct chat
-- race-safe with INSERT ... ON CONFLICT.
CREATE TABLE chats (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind        text NOT NULL,
  title       text NOT NULL DEFAULT '',
  -- NULL for direct chats, and for groups whose owner's account was deleted.
  owner_id    bigint REFERENCES users (id) ON DELETE SET NULL,
  dm_user_lo  bigint REFERENCES users (id),
  dm_user_hi  bigint REFERENCES users (id),
  last_seq    bigint NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  -- Soft delete: the history stays for moderation and for members' sync.
  deleted_at  timestamptz,
  CONSTRAINT chats_kind_check CHECK (kind IN ('direct', 'group')),
  CONSTRAINT chats_title_check CHECK (char_length(title) <= 128),
  CONSTRAINT chats_last_seq_check CHECK (last_seq >= 0),
  CONSTRAINT chats_direct_pair_check CHECK (
    CASE kind
      WHEN 'direct' THEN dm_user_lo IS NOT NULL AND dm_user_hi IS NOT NULL
                         AND dm_user_lo < dm_user_hi AND owner_id IS NULL
      ELSE dm_user_lo IS NULL AND dm_user_hi IS NULL
    END)
);

-- One direct chat per pair. The predicate is "lo IS NOT NULL" (equivalent to
-- kind = 'direct' by the CHECK above) because the planner can prove it from
-- "dm_user_lo = $1", so this index also serves the foreign key's lookups when
-- a user is deleted.
CREATE UNIQUE INDEX chats_direct_pair_key ON chats (dm_user_lo, dm_user_hi)
  WHERE dm_user_lo IS NOT NULL;
-- Foreign-key lookups for deleting a user; partial, since most rows are NULL here.
CREATE INDEX chats_dm_user_hi_idx ON chats (dm_user_hi) WHERE dm_user_hi IS NOT NULL;
CREATE INDEX chats_owner_id_idx ON chats (owner_id) WHERE owner_id IS NOT NULL;


-- Membership and each member's cursors (the highest seq delivered to / read by
-- the member). The two are kept independently: a read receipt may arrive
-- before the delivery receipt. Writers only move them forward (greatest()).
CREATE TABLE chat_members (
  chat_id       bigint NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role          text NOT NULL DEFAULT 'member',
  joined_at     timestamptz NOT NULL DEFAULT now(),
  delivered_seq bigint NOT NULL DEFAULT 0,
  read_seq      bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (chat_id, user_id),
  CONSTRAINT chat_members_role_check CHECK (role IN ('owner', 'member')),
  CONSTRAINT chat_members_delivered_seq_check CHECK (delivered_seq >= 0),
  CONSTRAINT chat_members_read_seq_check CHECK (read_seq >= 0)
);

-- "My chats" (chat.list, the ACL's group lookups) go by user.
CREATE INDEX chat_members_user_id_idx ON chat_members (user_id);


-- Messages: by far the largest table, so it is laid out to be hash-partitioned
-- by chat_id when one table no longer suffices:
-- * the key is (chat_id, seq): there is no global serial id, whose sequence
--   would be a single point of contention and whose uniqueness a partitioned
--   table could not enforce;
-- * every unique constraint includes chat_id (PostgreSQL requires the
--   partition key in each unique index of a partitioned table);
-- * every read goes by chat_id, so it touches one partition.
-- The contract's "a client id is unique per sender" cannot be such a
-- constraint (it does not contain chat_id). It lives in message_client_ids
-- below, keyed by sender, written in the same transaction as the message.
--
-- sender_id has no foreign key here on purpose: checking it on a user's
-- deletion would scan this table (there is no index by sender, and one would
-- slow every insert). message_client_ids, written with every message and
-- indexed by sender, carries that foreign key instead.
CREATE TABLE messages (
  chat_id       bigint NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  seq           bigint NOT NULL,
  sender_id     bigint NOT NULL,
  client_msg_id text NOT NULL,
  type          text NOT NULL,
  -- The payload's fields besides id/type/ts: {"text": ...}, {"media": {...}, "text": ...}.
  body          jsonb NOT NULL DEFAULT '{}',
  -- The server's time, taken after the chat row was locked, so that it grows
  -- with seq within a chat (history by before_ts relies on that).
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- Moderation: the row and its seq stay, the content is withheld.
  deleted_at    timestamptz,
  PRIMARY KEY (chat_id, seq),
  CONSTRAINT messages_seq_check CHECK (seq > 0),
  CONSTRAINT messages_client_msg_id_check CHECK (client_msg_id ~ '^[A-Za-z0-9_-]{1,64}$'),
  CONSTRAINT messages_type_check CHECK (type IN ('text', 'image', 'voice', 'file')),
  CONSTRAINT messages_body_check CHECK (jsonb_typeof(body) = 'object')
);

-- history by before_ts.
CREATE INDEX messages_chat_id_created_at_idx ON messages (chat_id, created_at);


-- Deduplication of resends: a client publishes an unacknowledged message again
-- after a reconnect, with the same id, and it must be stored once. The key is
-- (sender, client id) and points at the stored message, so a resend is answered
-- with the original seq. Kept apart from messages so both tables stay
-- partitionable by their own key: this one by sender_id.
CREATE TABLE message_client_ids (
  sender_id     bigint NOT NULL REFERENCES users (id),
  client_msg_id text NOT NULL,
  chat_id       bigint NOT NULL,
  seq           bigint NOT NULL,
  PRIMARY KEY (sender_id, client_msg_id),
  CONSTRAINT message_client_ids_message_fkey FOREIGN KEY (chat_id, seq)
    REFERENCES messages (chat_id, seq) ON DELETE CASCADE
);

-- The cascade from messages (a chat's hard deletion) looks rows up by message.
CREATE INDEX message_client_ids_message_idx ON message_client_ids (chat_id, seq);


-- Uploaded blobs (the bytes live in the media store; this is the catalogue).
-- first_referenced_at is set when a message first shares the blob; uploads
-- never referenced are garbage after a while.
CREATE TABLE media (
  id                  text PRIMARY KEY,
  uploader_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  mime                text NOT NULL,
  size_bytes          bigint NOT NULL,
  sha256              text NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  first_referenced_at timestamptz,
  CONSTRAINT media_id_check CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  CONSTRAINT media_mime_check CHECK (mime ~ '^[a-z0-9.+-]+/[A-Za-z0-9.+-]+$' AND char_length(mime) <= 255),
  CONSTRAINT media_size_bytes_check CHECK (size_bytes >= 0),
  CONSTRAINT media_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$')
);

CREATE INDEX media_uploader_id_idx ON media (uploader_id);
-- The garbage collector's scan: old uploads that no message ever used.
CREATE INDEX media_unreferenced_idx ON media (created_at) WHERE first_referenced_at IS NULL;


-- Push notifications still to send, written in the message's transaction so a
-- crash between storing and notifying loses nothing; a worker sends them at
-- least once and deletes them. One per member and message.
CREATE TABLE notification_outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  chat_id         bigint NOT NULL,
  seq             bigint NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  CONSTRAINT notification_outbox_message_key UNIQUE (user_id, chat_id, seq),
  -- The outbox holds only pending rows, so the cascade's scan of it is cheap.
  CONSTRAINT notification_outbox_message_fkey FOREIGN KEY (chat_id, seq)
    REFERENCES messages (chat_id, seq) ON DELETE CASCADE,
  CONSTRAINT notification_outbox_attempts_check CHECK (attempts >= 0)
);

-- The worker's queue: due rows first.
CREATE INDEX notification_outbox_next_attempt_at_idx ON notification_outbox (next_attempt_at);
