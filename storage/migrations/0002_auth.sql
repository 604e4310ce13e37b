-- Schema v2: what the broker's auth plugin needs to answer from memory.
--
-- The plugin (auth-plugin/) keeps group memberships and the set of users who
-- may not sign in in memory, so that no ACL check and no token sign-in ever
-- waits for the database. It loads a snapshot once, then follows every change
-- through LISTEN chat_auth: the triggers below send one NOTIFY per change, in
-- the changing transaction, so a listener hears about it exactly when it is
-- committed and in commit order. After a lost connection the plugin listens
-- again and reloads the snapshot, so nothing said while it was away is missed.
--
-- Payloads (space-separated, the last word is a unique serial number):
--   m+ <chat> <uid> <n>       uid became a member of the live group chat
--   m- <chat> <uid> <n>       uid is no longer a member of chat
--   c- <chat> <n>             the group is gone (soft-deleted, deleted, no longer a group)
--   c+ <chat> <n>             the group is live again: reload its members
--   u- <uid> <username> <n>   the user may not sign in (disabled or deleted)
--   u+ <uid> <username> <n>   the user may sign in again
--   p  <uid> <username> <n>   the user's password or username changed: forget
--                             passwords remembered for it
-- Every payload states the new state, never a toggle, so applying one twice,
-- or after a snapshot that already saw it, is harmless.


-- PostgreSQL delivers identical payloads sent in one transaction only once
-- ("m+ 5 7", "m- 5 7", "m+ 5 7" would arrive as "m+", "m-": the wrong end
-- state). A serial number makes each payload unique. Gaps are harmless.
CREATE SEQUENCE auth_change_serial AS bigint CYCLE;

CREATE FUNCTION auth_notify(change text) RETURNS void
  LANGUAGE sql VOLATILE
  RETURN pg_notify('chat_auth', change || ' ' || nextval('auth_change_serial'));


-- Accounts that were deleted. Ids are never reused (GENERATED ALWAYS), so a
-- token minted for a deleted user stays refused after the plugin reloads its
-- snapshot, although the users row is gone.
CREATE TABLE deleted_users (
  id         bigint PRIMARY KEY,
  username   text NOT NULL,
  deleted_at timestamptz NOT NULL DEFAULT now()
);


-- Membership of live groups. Direct chats are not followed: their topic
-- (dm/{to}/.../{from}) names both users already.
CREATE FUNCTION auth_member_changed() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM auth_notify('m- ' || OLD.chat_id || ' ' || OLD.user_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF EXISTS (SELECT 1 FROM chats
               WHERE id = NEW.chat_id AND kind = 'group' AND deleted_at IS NULL) THEN
      PERFORM auth_notify('m+ ' || NEW.chat_id || ' ' || NEW.user_id);
    END IF;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER chat_members_auth
  AFTER INSERT OR DELETE OR UPDATE OF chat_id, user_id ON chat_members
  FOR EACH ROW EXECUTE FUNCTION auth_member_changed();


-- A group that stops or starts being live. Deleting a chat also deletes its
-- members (ON DELETE CASCADE), which notify on their own; c- makes the end
-- state explicit either way.
CREATE FUNCTION auth_chat_changed() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  was_live boolean := OLD.kind = 'group' AND OLD.deleted_at IS NULL;
  is_live  boolean := false;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    is_live := NEW.kind = 'group' AND NEW.deleted_at IS NULL;
  END IF;
  IF was_live AND NOT is_live THEN
    PERFORM auth_notify('c- ' || OLD.id);
  ELSIF is_live AND NOT was_live THEN
    PERFORM auth_notify('c+ ' || NEW.id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER chats_auth
  AFTER DELETE OR UPDATE OF kind, deleted_at ON chats
  FOR EACH ROW EXECUTE FUNCTION auth_chat_changed();


-- Sign-in state of accounts.
CREATE FUNCTION auth_user_changed() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO deleted_users (id, username) VALUES (OLD.id, OLD.username)
      ON CONFLICT (id) DO NOTHING;
    PERFORM auth_notify('u- ' || OLD.id || ' ' || OLD.username);
    RETURN NULL;
  END IF;
  IF NEW.disabled IS DISTINCT FROM OLD.disabled THEN
    PERFORM auth_notify(CASE WHEN NEW.disabled THEN 'u- ' ELSE 'u+ ' END
                        || NEW.id || ' ' || NEW.username);
  END IF;
  IF NEW.password_hash IS DISTINCT FROM OLD.password_hash OR NEW.username <> OLD.username THEN
    PERFORM auth_notify('p ' || OLD.id || ' ' || OLD.username);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER users_auth
  AFTER DELETE OR UPDATE OF disabled, password_hash, username ON users
  FOR EACH ROW EXECUTE FUNCTION auth_user_changed();
