#pragma once
// Statements of the message path. The append statements take whole batches as
// arrays (unnest), so a batch costs the same few round trips whatever its size.
#include "chat/storage/statement.hpp"
#include "message_columns.hpp"

namespace chat::storage::sql {

// Locks the batch's chats in id order: two writers whose batches share chats
// queue on the first shared one instead of deadlocking. (The lock is taken as
// rows leave the sort, so ORDER BY fixes the order.) In READ COMMITTED a
// writer that waited reads the last_seq its predecessor committed.
// deleted_lo/deleted_hi: a direct chat's member whose account was deleted
// (NULL for groups, which a deleted account has left).
inline constexpr Statement kLockChatsForAppend{"messages.lock_chats", R"sql(
SELECT c.id, c.last_seq, c.content_count, c.deleted_at IS NOT NULL AS deleted,
       (SELECT u.id FROM users u WHERE u.id = c.dm_user_lo AND u.deleted_at IS NOT NULL) AS deleted_lo,
       (SELECT u.id FROM users u WHERE u.id = c.dm_user_hi AND u.deleted_at IS NOT NULL) AS deleted_hi
FROM chats c
WHERE c.id = ANY($1::bigint[])
ORDER BY c.id
FOR NO KEY UPDATE OF c)sql"};

// Which (chat, sender) pairs of the batch are memberships. Prepared: the
// `= ANY($1)` offers its generic plan an index path into chat_members (see
// kInsertMessages); on a table of a few pages a scan stays cheaper and chosen.
inline constexpr Statement kFindMemberships{"messages.find_memberships", R"sql(
SELECT m.chat_id, m.user_id, m.role = 'owner' AS owner
FROM unnest($1::bigint[], $2::bigint[]) AS k(chat_id, user_id)
JOIN chat_members m ON m.chat_id = k.chat_id AND m.user_id = k.user_id
WHERE m.chat_id = ANY($1::bigint[]))sql"};

// Which (sender, client id) pairs were stored before, and where. Run after the
// chat locks, so a resend racing its original on the same chat sees it.
// Planned each time: on a large table PostgreSQL prefers a custom plan for it
// anyway (the generic one assumes 100 unnest rows), and a generic plan made
// while the table was small scans it whole for as long as it is kept.
// Two relations only: planning a three-way join (with messages, for the
// originals' server times) for every batch cost more than executing it;
// kFindServerTimes reads those times in the rare batch that has duplicates.
inline constexpr Statement kFindClientIds{"messages.find_client_ids", R"sql(
SELECT c.sender_id, c.client_msg_id, c.chat_id, c.seq
FROM unnest($1::bigint[], $2::text[]) AS k(sender_id, client_msg_id)
JOIN message_client_ids c ON c.sender_id = k.sender_id AND c.client_msg_id = k.client_msg_id)sql",
                                          /*plan_each_time=*/true};

// The server times of stored messages ($1 chat, $2 seq): the originals that a
// batch's resends are answered with.
inline constexpr Statement kFindServerTimes{"messages.find_server_times", R"sql(
SELECT m.chat_id, m.seq, epoch_ms(m.created_at) AS created_at_ms
FROM unnest($1::bigint[], $2::bigint[]) AS k(chat_id, seq)
JOIN messages m ON m.chat_id = k.chat_id AND m.seq = k.seq)sql",
                                            /*plan_each_time=*/true};

// The messages a batch's actions and replies name ($1 chat, $2 seq), with
// what the rules look at; age_ms by the database's clock, as created_at.
// Planned each time, as kFindClientIds (run only for batches that name any).
inline constexpr Statement kFindTargets{"messages.find_targets", R"sql(
SELECT m.chat_id, m.seq, m.sender_id, m.type, m.deleted_at IS NOT NULL AS deleted,
       epoch_ms(clock_timestamp()) - epoch_ms(m.created_at) AS age_ms
FROM unnest($1::bigint[], $2::bigint[]) AS k(chat_id, seq)
JOIN messages m ON m.chat_id = k.chat_id AND m.seq = k.seq)sql",
                                        /*plan_each_time=*/true};

// The stored reactions of the batch's reacting users on their targets ($1
// chat, $2 target, $3 user): what the per-user cap counts. The primary key's
// prefix finds them; at most the cap's number of rows per triple. Planned
// each time, as kFindTargets (run only for batches that add reactions).
inline constexpr Statement kFindUserReactions{"messages.find_user_reactions", R"sql(
SELECT r.chat_id, r.seq, r.user_id, r.emoji
FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS k(chat_id, seq, user_id)
JOIN message_reactions r ON r.chat_id = k.chat_id AND r.seq = k.seq AND r.user_id = k.user_id)sql",
                                              /*plan_each_time=*/true};

// The one-round-trip append's check of its forecast (append_forecast.hpp,
// migration 14), sent after kLockChatsForAppend in the same pipeline and, as
// the reads of the two-round-trip path, a statement of its own: its reads
// happen after the chat locks were granted. Each chat ($1) exists, is not
// deleted and has no deleted member; each (chat, sender) pair ($2, $3) is a
// membership. Otherwise it raises and the pipeline's writes and COMMIT are
// skipped. (A stale last_seq or a stored client id fail the insert's keys.)
inline constexpr Statement kCheckAppendForecast{"messages.check_append_forecast", R"sql(
SELECT messages_check_append_forecast($1::bigint[], $2::bigint[], $3::bigint[]))sql"};

// Writes a planned batch in one statement: the chats' new last_seq ($1, $2)
// and content_count ($9), the messages ($3..$8, with their content_count $10:
// what unread counts read, v13; the bodies as text[], binary array parameters
// carry text elements, parsed as jsonb here) and their client ids. The client ids go in key order,
// so two writers inserting overlapping keys wait on each other in one order.
// `chats.id = ANY($1)` is there for the cached generic plan: joined with an
// unnest of unknown length alone, a small chats table is seq-scanned, and every
// batch then walks all the row versions its predecessors left (measured on 125
// chats in 32 pages: send->ack p50 from 1.8 to 16.7 ms over seven runs).
inline constexpr Statement kInsertMessages{"messages.insert_batch", R"sql(
WITH advanced AS (
  UPDATE chats
  SET last_seq = s.last_seq, content_count = s.content_count
  FROM unnest($1::bigint[], $2::bigint[], $9::bigint[]) AS s(chat_id, last_seq, content_count)
  WHERE chats.id = ANY($1::bigint[]) AND chats.id = s.chat_id
),
inserted AS (
  INSERT INTO messages (chat_id, seq, sender_id, client_msg_id, type, body, content_count)
  SELECT u.chat_id, u.seq, u.sender_id, u.client_msg_id, u.type, u.body::jsonb, u.content_count
  FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $10::bigint[])
    AS u(chat_id, seq, sender_id, client_msg_id, type, body, content_count)
  RETURNING chat_id, seq, sender_id, client_msg_id, created_at
),
client_ids AS (
  INSERT INTO message_client_ids (sender_id, client_msg_id, chat_id, seq)
  SELECT sender_id, client_msg_id, chat_id, seq FROM inserted ORDER BY sender_id, client_msg_id
)
SELECT chat_id, seq, epoch_ms(created_at) AS created_at_ms FROM inserted)sql"};

// ---- applying actions to their targets, after the batch's insert (so a
// target stored in the same batch is there). One row per target or reaction
// key (the plan's net effect). Planned each time: they run only for batches
// with actions, and a generic plan over an unnest of unknown length could
// scan the whole table.

// Edits ($1 chat, $2 target, $3 the edit's seq, $4 text): the latest text, and
// edited_at the edit message's server time.
inline constexpr Statement kApplyEdits{"messages.apply_edits", R"sql(
UPDATE messages t
SET body = jsonb_set(t.body, '{text}', to_jsonb(e.text)), edited_at = a.created_at
FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[]) AS e(chat_id, target, action_seq, text)
JOIN messages a ON a.chat_id = e.chat_id AND a.seq = e.action_seq
WHERE t.chat_id = e.chat_id AND t.seq = e.target)sql",
                                       /*plan_each_time=*/true};

// Reactions added ($1 chat, $2 target, $3 user, $4 emoji); one of each per user
// and target. In key order, as the client ids, so two writers wait in one order.
inline constexpr Statement kAddReactions{"messages.add_reactions", R"sql(
INSERT INTO message_reactions (chat_id, seq, user_id, emoji)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[]) AS k(chat_id, seq, user_id, emoji)
ORDER BY 1, 2, 3, 4
ON CONFLICT DO NOTHING)sql",
                                         /*plan_each_time=*/true};

inline constexpr Statement kRemoveReactions{"messages.remove_reactions", R"sql(
DELETE FROM message_reactions r
USING unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[]) AS k(chat_id, seq, user_id, emoji)
WHERE r.chat_id = k.chat_id AND r.seq = k.seq AND r.user_id = k.user_id AND r.emoji = k.emoji)sql",
                                            /*plan_each_time=*/true};

// Deletions for everyone ($1 chat, $2 target, $3 the delete's seq): the
// content is withheld from then on (deleted_at, as moderation) and the
// target's reactions go.
inline constexpr Statement kApplyDeletions{"messages.apply_deletions", R"sql(
WITH gone AS (
  UPDATE messages t
  SET deleted_at = a.created_at
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS d(chat_id, target, action_seq)
  JOIN messages a ON a.chat_id = d.chat_id AND a.seq = d.action_seq
  WHERE t.chat_id = d.chat_id AND t.seq = d.target AND t.deleted_at IS NULL
  RETURNING t.chat_id, t.seq
)
DELETE FROM message_reactions r
USING gone g
WHERE r.chat_id = g.chat_id AND r.seq = g.seq)sql",
                                           /*plan_each_time=*/true};

// A page of a chat's history in seq order. Content deleted by moderation is
// withheld; the row keeps its place.
inline constexpr Statement kHistoryAfter{"messages.history_after", "SELECT " CHAT_MESSAGE_STATE_COLUMNS R"sql(
FROM messages x
WHERE x.chat_id = $1::bigint AND x.seq > $2::bigint
ORDER BY x.seq
LIMIT $3::bigint)sql"};

}  // namespace chat::storage::sql
