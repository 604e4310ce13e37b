// Message search: a recent scan, then the index when that was not enough
// (sql/search_sql.hpp says how each runs), and the indexer's step that fills
// the search table (sql/search_index_sql.hpp).
#include "chat/storage/messages.hpp"

#include "sql/search_index_sql.hpp"
#include "sql/search_sql.hpp"

namespace chat::storage {
namespace {

SearchHit read_hit(const Row& row) {
  SearchHit hit;
  hit.chat_id = row.int64("chat_id");
  hit.seq = row.int64("seq");
  hit.sender_id = row.int64("sender_id");
  hit.created_at_ms = row.int64("created_at_ms");
  hit.cursor = SearchCursor{row.int64("created_at_us"), hit.chat_id, hit.seq};
  hit.snippet = row.text("snippet");
  return hit;
}

}  // namespace

std::vector<SearchHit> MessageStore::search(const SearchQuery& query) {
  if (query.limit < 0) throw DbError(DbErrc::invalid_input, "search: limit must not be negative");
  if (query.snippet_context_chars < 0) throw DbError(DbErrc::invalid_input, "search: context must not be negative");
  if (query.recent_scan_rows < 0) throw DbError(DbErrc::invalid_input, "search: scan rows must not be negative");
  if (query.text.empty()) throw DbError(DbErrc::invalid_input, "search: the query must not be empty");
  const std::optional<std::int64_t> before_us =
      query.before ? std::optional<std::int64_t>(query.before->created_at_us) : std::nullopt;
  const std::int64_t before_chat = query.before ? query.before->chat_id : 0;
  const std::int64_t before_seq = query.before ? query.before->seq : 0;
  std::vector<SearchHit> hits;
  const auto keep = [&hits](const Rows& rows) {
    hits.reserve(rows.size());
    for (const Row row : rows) {
      if (!row.is_null("chat_id")) hits.push_back(read_hit(row));
    }
  };
  if (query.recent_scan_rows > 0) {
    const Rows recent =
        connection_.execute(sql::kSearchRecent, query.user, query.text, query.chat, before_us, before_chat, before_seq,
                            query.limit, query.snippet_context_chars, query.recent_scan_rows);
    if (recent.size() > 0 && recent[0].boolean("complete")) {
      keep(recent);
      return hits;
    }
  }
  keep(connection_.execute(sql::kSearchIndexed, query.user, query.text, query.chat, before_us, before_chat, before_seq,
                           query.limit, query.snippet_context_chars));
  return hits;
}

SearchIndexRound MessageStore::index_for_search(int max_messages) {
  if (max_messages < 1) throw DbError(DbErrc::invalid_input, "index_for_search: max_messages must be positive");
  return connection_.transaction([&](Connection& tx) {
    SearchIndexRound round;
    if (!tx.execute(sql::kSearchIndexLock)[0].boolean("got")) return round;
    const Rows rows = tx.execute(sql::kSearchIndexRound, static_cast<std::int64_t>(max_messages));
    const Row row = rows[0];
    round.ran = true;
    round.messages = row.int64("messages");
    round.chats = row.int64("chats");
    round.changed = row.int64("changed");
    round.more = row.boolean("more");
    if (round.changed > 0) {
      const Row merge = tx.execute(sql::kSearchIndexMerge)[0];
      round.merge_refused = !merge.boolean("allowed");
      round.merged_pages = merge.int64("pages");
    }
    return round;
  });
}

std::int64_t MessageStore::search_index_backlog() {
  return connection_.execute(sql::kSearchIndexBacklog)[0].int64("backlog");
}

}  // namespace chat::storage
