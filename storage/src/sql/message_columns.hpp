#pragma once
// The columns of a message record as read_stored_message() reads them, over
// `messages x`: every reader of history (a client's history and sync, an
// operator's pages) returns a message's current state the same way.
// * Deleted (moderation, or for everyone): no content (body {}), no reactions.
// * An edit whose target was deleted keeps its place but not its text: it
//   would show the deleted content.
// * edited_at: the latest edit; the body holds its text (applied on store).
// * reactions: {"👍": [uid, …]} (uids ascending), NULL when there are none.

#define CHAT_MESSAGE_STATE_COLUMNS                                                              \
  " x.chat_id, x.seq, x.sender_id, x.client_msg_id, x.type,"                                    \
  " CASE WHEN x.deleted_at IS NOT NULL THEN '{}'::jsonb"                                        \
  "      WHEN x.type = 'edit' AND EXISTS (SELECT 1 FROM messages t"                             \
  "                                       WHERE t.chat_id = x.chat_id"                          \
  "                                         AND t.seq = (x.body ->> 'target')::bigint"          \
  "                                         AND t.deleted_at IS NOT NULL) THEN x.body - 'text'" \
  "      ELSE x.body END AS body,"                                                              \
  " epoch_ms(x.created_at) AS created_at_ms, epoch_ms(x.deleted_at) AS deleted_at_ms,"          \
  " epoch_ms(x.edited_at) AS edited_at_ms,"                                                     \
  " CASE WHEN x.deleted_at IS NULL THEN"                                                        \
  "   (SELECT jsonb_object_agg(r.emoji, r.users)"                                               \
  "    FROM (SELECT emoji, jsonb_agg(user_id ORDER BY user_id) AS users FROM message_reactions" \
  "          WHERE chat_id = x.chat_id AND seq = x.seq GROUP BY emoji) r)::text"                \
  " END AS reactions "
