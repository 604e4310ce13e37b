-- Schema v14: the message path's one-round-trip append (issue #12).
--
-- A writer that stored into a chat before knows what the chat looks like
-- when nobody else wrote into it: its last_seq, the senders that are
-- members, and that fresh client ids are not stored yet. It then sends the
-- whole transaction in one pipeline (BEGIN, lock the chats, check the
-- forecast, insert, COMMIT) instead of waiting for the reads before writing.
--
-- What the forecast assumed and what catches it when wrong:
-- * the chats exist, are not deleted, and no member of a direct chat has a
--   deleted account; each (chat, sender) pair is a membership: this
--   function, called as a statement of its own after the chat locks were
--   granted (so its reads see what the locks made stable, as the reads of
--   the two-round-trip path do);
-- * each chat's last_seq: a chat that another writer advanced already holds
--   the seq the forecast inserts first (seqs are gapless), and the insert
--   fails on messages_pkey;
-- * no client id is stored: the insert fails on message_client_ids_pkey.
-- Any of these aborts the pipeline before COMMIT; the transaction rolls back
-- and the writer runs the two-round-trip path, which reads everything.
--
-- One index lookup per distinct chat and per distinct (chat, sender) of a
-- batch, in loops whose statements keep one plan (primary-key equality), so
-- nothing here is planned per batch.
CREATE FUNCTION messages_check_append_forecast(chat_ids bigint[], member_chat_ids bigint[],
                                               member_user_ids bigint[]) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  chat bigint;
  i integer;
BEGIN
  FOREACH chat IN ARRAY chat_ids LOOP
    PERFORM 1 FROM chats c
    WHERE c.id = chat AND c.deleted_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = c.dm_user_lo AND u.deleted_at IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = c.dm_user_hi AND u.deleted_at IS NOT NULL);
    IF NOT FOUND THEN
      RAISE EXCEPTION 'append forecast missed: chat % is gone, deleted, or has a deleted member', chat
        USING CONSTRAINT = 'messages_append_forecast';
    END IF;
  END LOOP;
  FOR i IN 1 .. coalesce(array_length(member_chat_ids, 1), 0) LOOP
    PERFORM 1 FROM chat_members m WHERE m.chat_id = member_chat_ids[i] AND m.user_id = member_user_ids[i];
    IF NOT FOUND THEN
      RAISE EXCEPTION 'append forecast missed: user % is no member of chat %', member_user_ids[i], member_chat_ids[i]
        USING CONSTRAINT = 'messages_append_forecast';
    END IF;
  END LOOP;
END;
$$;
