-- Schema v6: a deleted account is disconnected.
--
-- Deleting an account (v4) renames it to deleted.<id> in the same UPDATE that
-- disables it, and v2's trigger named the account in its `u-` change by the
-- new name. The broker's plugin disconnects by the name clients signed in
-- with, which is the old one: nobody was disconnected. `u-` now names the
-- account as it was (OLD.username), `u+` as it is; otherwise unchanged.
CREATE OR REPLACE FUNCTION auth_user_changed() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO deleted_users (id, username) VALUES (OLD.id, OLD.username)
      ON CONFLICT (id) DO NOTHING;
    PERFORM auth_notify('u- ' || OLD.id || ' ' || OLD.username);
    RETURN NULL;
  END IF;
  IF NEW.disabled IS DISTINCT FROM OLD.disabled THEN
    PERFORM auth_notify(CASE WHEN NEW.disabled THEN 'u- ' || OLD.id || ' ' || OLD.username
                             ELSE 'u+ ' || NEW.id || ' ' || NEW.username END);
  END IF;
  IF NEW.password_hash IS DISTINCT FROM OLD.password_hash OR NEW.username <> OLD.username THEN
    PERFORM auth_notify('p ' || OLD.id || ' ' || OLD.username);
  END IF;
  RETURN NULL;
END
$$;
