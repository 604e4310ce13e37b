#pragma once
// A member's unread count (schema v13): the messages of content (text, image,
// voice, file) stored after its read cursor; edits, deletions and reactions
// are not counted. Each message row carries its chat's running count of
// messages of content (content_count), the chat the total, so the count is
// the total minus the running count at the newest row at or below read_seq:
// one backward probe of the messages primary key per chat, whatever the
// backlog. (The newest row at or below, not the row at read_seq itself: a
// cursor may name a seq whose row an operator removed.)
//
// CHAT_UNREAD_OF_MEMBER(chats alias, chat_members alias) is an SQL expression.
#define CHAT_UNREAD_OF_MEMBER(c, m)                                                                 \
  "greatest(" c                                                                                     \
  ".content_count - coalesce((SELECT newest.content_count FROM messages newest"                     \
  "                                           WHERE newest.chat_id = " c ".id AND newest.seq <= " m \
  ".read_seq"                                                                                       \
  "                                           ORDER BY newest.seq DESC LIMIT 1), 0), 0)"
