-- Schema v9: blocking (issue #15, "Blocking"; docs/protocol.md, "Conversation
-- features").
--
-- A row says that blocker_id blocks blocked_id. The broker's auth plugin keeps
-- every pair in memory and refuses, from it, the blocked user's direct
-- messages, typing and receipts to the blocker, and hides the blocker's
-- presence from it; the bridge refuses the blocked user a direct chat with the
-- blocker and adding the blocker to a group. The plugin follows the table
-- like the memberships (migration 0002): each change is announced on
-- chat_auth in the changing transaction, as an end state,
--   b+ <blocker> <blocked> <n>     b- <blocker> <blocked> <n>
-- and its snapshot reads the pairs through auth_user_blocks() below.
CREATE TABLE user_blocks (
  blocker_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  blocked_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (blocker_id, blocked_id),
  CONSTRAINT user_blocks_not_self CHECK (blocker_id <> blocked_id)
);

-- "Who blocks me" (the bridge's checks for dm.open, chat.add, presence.get)
-- and the cascade when a blocked user's row goes.
CREATE INDEX user_blocks_blocked ON user_blocks (blocked_id, blocker_id);

CREATE FUNCTION auth_block_changed() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM auth_notify('b- ' || OLD.blocker_id || ' ' || OLD.blocked_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM auth_notify('b+ ' || NEW.blocker_id || ' ' || NEW.blocked_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER user_blocks_auth
  AFTER INSERT OR DELETE OR UPDATE OF blocker_id, blocked_id ON user_blocks
  FOR EACH ROW EXECUTE FUNCTION auth_block_changed();

-- The plugin's role (chat_auth) reads the pairs through this function, as it
-- reads token floors (migration 0006): no new grant, nothing else visible.
CREATE FUNCTION auth_user_blocks() RETURNS TABLE (blocker_id bigint, blocked_id bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT blocker_id, blocked_id FROM user_blocks
  $$;
