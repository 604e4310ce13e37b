// The history readers: one chat's page from an anchor (a client's history
// request, an operator's page), many chats after their cursors (a sync
// round), and moderation. Content is withheld once moderated.
#include "chat/storage/messages.hpp"

#include "record_readers.hpp"
#include "sql/admin_sql.hpp"
#include "sql/messages_sql.hpp"
#include "sql/requests_sql.hpp"

namespace chat::storage {
namespace {

std::vector<StoredMessage> read_messages(const Rows& rows) {
  return detail::read_rows(rows, detail::read_stored_message);
}

}  // namespace

std::vector<StoredMessage> MessageStore::history(ChatId chat, HistoryAnchor anchor, int limit) {
  if (limit < 0) throw DbError(DbErrc::invalid_input, "history: limit must not be negative");
  switch (anchor.kind) {
    case HistoryAnchor::Kind::after_seq:
      return read_messages(connection_.execute(sql::kHistoryAfter, chat, anchor.value, limit));
    case HistoryAnchor::Kind::before_seq:
      return read_messages(connection_.execute(sql::kAdminHistoryBefore, chat, anchor.value, limit));
    case HistoryAnchor::Kind::before_time:
      return read_messages(connection_.execute(sql::kHistoryBeforeTime, chat, anchor.value, limit));
  }
  throw DbError(DbErrc::invalid_input, "history: unknown anchor");
}

std::vector<StoredMessage> MessageStore::history(std::span<const ChatCursor> cursors, int per_chat_limit) {
  if (per_chat_limit < 0) throw DbError(DbErrc::invalid_input, "history: limit must not be negative");
  std::vector<ChatId> chats;
  std::vector<Seq> seqs;
  chats.reserve(cursors.size());
  seqs.reserve(cursors.size());
  for (const ChatCursor& cursor : cursors) {
    chats.push_back(cursor.chat_id);
    seqs.push_back(cursor.after_seq);
  }
  return read_messages(connection_.execute(sql::kMessagesAfterCursors, Param::int64_array(chats),
                                           Param::int64_array(seqs), per_chat_limit));
}

std::optional<StoredMessage> MessageStore::moderate_delete_message(ChatId chat, Seq seq) {
  return connection_.transaction([&](Connection& tx) -> std::optional<StoredMessage> {
    const auto row = tx.execute(sql::kAdminModerateMessage, chat, seq).at_most_one();
    if (!row) return std::nullopt;
    return detail::read_stored_message(*row);
  });
}

}  // namespace chat::storage
