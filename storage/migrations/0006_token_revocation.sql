-- Schema v6: revoking sign-in tokens (issue #13, item 9).
--
-- A token (docs/protocol.md, section 1) is checked by the broker's auth plugin
-- from memory alone; until now nothing could withdraw one before its `exp`.
-- Each user now has a time before which its tokens are void: a token whose
-- `iat` (seconds) is earlier than tokens_not_before (cut to whole seconds) is
-- refused. The plugin keeps these times in memory, loads them with its
-- snapshot and follows them through NOTIFY chat_auth like everything else:
--   t <uid> <seconds since the epoch> <n>
-- They are set on every password change and on every change of `disabled`
-- (so re-enabling a user does not revive its old tokens), and by whoever wants
-- to sign a user out everywhere: UPDATE users SET tokens_not_before = now().
-- A token minted in the same second as the revocation stays valid (whole
-- seconds, as in the token): a client that mints a new one right after a
-- password change can use it at once.
ALTER TABLE users ADD COLUMN tokens_not_before timestamptz;

CREATE FUNCTION auth_revoke_tokens() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.password_hash IS DISTINCT FROM OLD.password_hash OR NEW.disabled IS DISTINCT FROM OLD.disabled THEN
    NEW.tokens_not_before := greatest(NEW.tokens_not_before, now());
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER users_revoke_tokens
  BEFORE UPDATE OF password_hash, disabled ON users
  FOR EACH ROW EXECUTE FUNCTION auth_revoke_tokens();

-- Not "UPDATE OF tokens_not_before": a column set by the BEFORE trigger above
-- does not count as a target of the UPDATE.
CREATE FUNCTION auth_tokens_revoked() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM auth_notify('t ' || NEW.id || ' ' || floor(extract(epoch FROM NEW.tokens_not_before))::bigint);
  RETURN NULL;
END
$$;

CREATE TRIGGER users_tokens_revoked
  AFTER UPDATE ON users
  FOR EACH ROW WHEN (NEW.tokens_not_before IS DISTINCT FROM OLD.tokens_not_before
                     AND NEW.tokens_not_before IS NOT NULL)
  EXECUTE FUNCTION auth_tokens_revoked();

-- The plugin's snapshot reads the times through this function: its database
-- role (chat_auth) may read four columns of users and nothing else, and a
-- SECURITY DEFINER function hands it exactly this pair without a new grant.
CREATE FUNCTION auth_token_floors() RETURNS TABLE (user_id bigint, not_before bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT id, floor(extract(epoch FROM tokens_not_before))::bigint
    FROM users
    WHERE tokens_not_before IS NOT NULL
  $$;
