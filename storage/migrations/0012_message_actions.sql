-- Schema v9: messages that act on messages (issue #15): edits, deletions for
-- everyone, reactions, replies.
--
-- An action is a message of its chat like text (its own seq, client id,
-- dedup, delivery, sync); its body names the message it acts on:
--   edit      {"target": seq, "text": "…"}
--   delete    {"target": seq}
--   reaction  {"target": seq, "emoji": "…", "remove": true|absent}
-- and any message may carry "reply_to": seq. The target's current state is
-- kept on the target itself, in the action's transaction: an edit replaces
-- its body's text and sets edited_at; a delete sets deleted_at (the column
-- moderation uses: content withheld, the row keeps its seq); reactions are
-- rows of message_reactions. So history and sync read a message's state from
-- its row, without replaying actions.
ALTER TABLE messages
  DROP CONSTRAINT messages_type_check,
  ADD CONSTRAINT messages_type_check
    CHECK (type IN ('text', 'image', 'voice', 'file', 'edit', 'delete', 'reaction')),
  -- The time of the latest edit (the edit message's own server time).
  ADD COLUMN edited_at timestamptz;

-- Who reacted with what to which message: one row per user, message and emoji.
-- No foreign key to messages: as message_client_ids (v5, v8), rows are written
-- by the message path's only writer next to the messages they name, and a
-- per-row key check would cost a lookup per reaction; deleting messages takes
-- their reactions with them (the statement trigger below).
CREATE TABLE message_reactions (
  chat_id    bigint NOT NULL,
  seq        bigint NOT NULL,
  user_id    bigint NOT NULL,
  emoji      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chat_id, seq, user_id, emoji),
  -- The contract's bound (one grapheme of at most 32 bytes; the grapheme rule
  -- is checked by the plugin and the bridge, which have ICU).
  CONSTRAINT message_reactions_emoji_check CHECK (octet_length(emoji) BETWEEN 1 AND 32)
);

CREATE FUNCTION message_reactions_follow_deletes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM message_reactions r
  USING gone g
  WHERE r.chat_id = g.chat_id AND r.seq = g.seq;
  RETURN NULL;
END;
$$;

CREATE TRIGGER messages_reactions_follow_deletes
  AFTER DELETE ON messages
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION message_reactions_follow_deletes();
