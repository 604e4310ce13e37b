-- Schema v13: the message path's one-round-trip append (issue #12).
--
-- A writer that stored into a chat before knows what the chat looks like
-- when nobody else wrote into it: its last_seq, the senders that are
-- members, and that fresh client ids are not stored yet. It then sends the
-- whole transaction in one pipeline (BEGIN, lock the chats, check that
-- forecast, insert, COMMIT) instead of waiting for the reads before
-- writing. The check runs as a statement of its own after the lock, so it
-- reads what the lock made stable, as the reads of the two-round-trip path
-- do; when the forecast is wrong it calls this function, the pipeline's
-- later statements (the writes, COMMIT) are skipped, the transaction rolls
-- back, and the writer runs the two-round-trip path.
--
-- The error is told apart by its constraint name (the bridge matches on it,
-- storage/include/chat/storage/constraints.hpp).
CREATE FUNCTION messages_append_forecast_missed() RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RAISE EXCEPTION 'append forecast missed: the chats changed since this writer last stored into them'
    USING CONSTRAINT = 'messages_append_forecast';
END;
$$;
