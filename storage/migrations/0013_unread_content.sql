-- Schema v13: unread counts count messages of content only (issue #15).
--
-- A chat's unread count for a member was last_seq - read_seq: every row
-- after the member's read cursor, edits, deletions and reactions included
-- (they have seqs of their own since v12). People count what they would see
-- as new: text, image, voice and file messages.
--
-- Counting those rows at read time costs one index range per chat and grows
-- with the unread backlog (chat.list answers 200 chats; the push badge sums
-- over all of a user's chats). Instead each row carries the chat's running
-- count of messages of content up to and including itself, and the chat the
-- running total; the unread count of a member is
--   chats.content_count - content_count of the newest row at or below read_seq
-- which is one primary-key probe per chat whatever the backlog. The message
-- path writes both numbers in the statement that stores the batch (the
-- planner in storage/src/append_plan.cpp counts), so it costs no extra round
-- trip and no trigger.
--
-- A message deleted for everyone (or by moderation) still counts: it keeps its
-- place in the conversation, where the client shows "message deleted".
ALTER TABLE chats ADD COLUMN content_count bigint NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN content_count bigint NOT NULL DEFAULT 0;

UPDATE messages m
SET content_count = w.n
FROM (SELECT chat_id, seq,
             count(*) FILTER (WHERE type IN ('text', 'image', 'voice', 'file'))
               OVER (PARTITION BY chat_id ORDER BY seq) AS n
      FROM messages) w
WHERE m.chat_id = w.chat_id AND m.seq = w.seq AND w.n <> 0;

UPDATE chats c
SET content_count = x.n
FROM (SELECT chat_id, count(*) AS n FROM messages
      WHERE type IN ('text', 'image', 'voice', 'file')
      GROUP BY chat_id) x
WHERE c.id = x.chat_id;
