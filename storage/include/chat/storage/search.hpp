#pragma once
// Search over the text of a user's messages (MessageStore::search): what is
// asked and what is found. docs/bridge.md, "Search".
#include "chat/storage/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::storage {

// Where a page of hits continues: hits strictly older than this one, in the
// order (stored time, chat, seq) descending. Time in microseconds, exact.
struct SearchCursor {
  std::int64_t created_at_us = 0;
  ChatId chat_id = 0;
  Seq seq = 0;

  friend bool operator==(const SearchCursor&, const SearchCursor&) = default;
};

struct SearchQuery {
  UserId user = 0;             // only chats it is a live member of now
  std::string_view text;       // found case-insensitively as a substring; % and _ are literal
  std::optional<ChatId> chat;  // only this chat (still one of the user's)
  std::optional<SearchCursor> before;
  int limit = 20;
  int snippet_context_chars = 40;  // characters kept either side of the match
  // Rows the recent scan may read before the index is asked (message_search.cpp:
  // a common text is answered from the newest rows of the user's chats, a rare
  // one by the index); 0 goes to the index at once.
  int recent_scan_rows = 2000;
};

// One round of the search indexer (MessageStore::index_for_search).
struct SearchIndexRound {
  bool ran = false;           // false: another indexer holds the turn
  std::int64_t messages = 0;  // messages walked
  std::int64_t chats = 0;     // chats whose watermark moved
  std::int64_t changed = 0;   // search rows written or removed
  bool more = false;          // messages were left for the next round
  // The index's pending list merged after the round (only when rows changed):
  // pages merged, or refused because this role does not own the search table
  // (then autovacuum merges it; docs/bridge.md, "Search", the database role).
  std::int64_t merged_pages = 0;
  bool merge_refused = false;
};

struct SearchHit {
  ChatId chat_id = 0;
  Seq seq = 0;
  UserId sender_id = 0;
  TimeMs created_at_ms = 0;
  SearchCursor cursor;  // this hit's place, for the next page
  std::string snippet;  // the match with its context; "…" where cut
};

}  // namespace chat::storage
