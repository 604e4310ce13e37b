// Message search: one statement (sql/search_sql.hpp, which says how it runs).
#include "chat/storage/messages.hpp"

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
  if (query.text.empty()) throw DbError(DbErrc::invalid_input, "search: the query must not be empty");
  const std::optional<std::int64_t> before_us =
      query.before ? std::optional<std::int64_t>(query.before->created_at_us) : std::nullopt;
  const Rows rows = connection_.execute(sql::kSearchMessages, query.user, query.text, query.chat, before_us,
                                        query.before ? query.before->chat_id : 0, query.before ? query.before->seq : 0,
                                        query.limit, query.snippet_context_chars);
  std::vector<SearchHit> hits;
  hits.reserve(rows.size());
  for (const Row row : rows) hits.push_back(read_hit(row));
  return hits;
}

}  // namespace chat::storage
