#pragma once
// What a writer expects of its chats without reading them: the one-round-trip
// append (messages.cpp, migration 13).
//
// The two-round-trip append reads, after locking the batch's chats, their
// last_seq, the senders' memberships and the stored client ids, and only then
// writes. A writer that is the only one storing into a chat already knows the
// answers from its previous transaction: the last_seq and content_count
// (v13: what unread counts count) it committed, the memberships it read, and that fresh client ids are not stored. With
// such a forecast the writes are planned before the transaction starts and sent with the lock, a statement checking the
// forecast, and COMMIT in one pipeline; when the check finds the forecast wrong the transaction rolls back and the
// batch takes the two-round-trip path, which refreshes the forecast.
//
// Plain C++, unit-tested; holds nothing the database does not confirm in the
// transaction that relies on it.
#include "append_plan.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

namespace chat::storage::detail {

// The reads of the two-round-trip path, as the forecast expects them.
struct ForecastReads {
  std::vector<ChatState> chats;
  std::vector<Membership> memberships;
};

// The chats a transaction advanced and what it left in them (parallel
// arrays, as the plan holds them).
struct AdvancedChats {
  std::span<const ChatId> chat_ids;
  std::span<const Seq> last_seqs;
  std::span<const std::int64_t> content_counts;
};

class AppendForecast {
 public:
  // Past this many chats or memberships the forecast starts empty again.
  explicit AppendForecast(std::size_t max_entries = 100'000) : max_entries_(max_entries) {}

  // The reads the batch would get, or nullopt when the forecast does not know
  // one of its chats or (chat, sender) pairs, when the batch names targets
  // (actions and replies read them: two round trips), or while backing off
  // after misses.
  std::optional<ForecastReads> predict(const AppendKeys& keys);

  // After a two-round-trip commit: what it read (`chats`, `memberships`) and
  // the chats' last_seq and content_count it left (`advanced`). Deleted chats
  // and direct chats with a deleted account are not forecast (they refuse
  // messages).
  void learn(std::span<const ChatState> chats, std::span<const Membership> memberships, const AdvancedChats& advanced);
  // After a one-round-trip commit: the chats' new last_seq and content_count;
  // the run of misses is over.
  void advance(const AdvancedChats& advanced);
  // The check refused the forecast: another writer stored into one of these
  // chats, a membership ended, or a client id was resent. The chats and their
  // memberships are forgotten (the two-round-trip path that follows reads
  // them again). Each consecutive
  // miss doubles the number of batches that skip the forecast (up to 1023), so
  // chats shared with another writer (a second bridge instance) cost a wasted
  // round trip rarely; only a forecast that held ends the run.
  void missed(std::span<const ChatId> chat_ids);
  // A transaction failed otherwise (its outcome may be unknown): start over.
  void clear();

  // For tests and metrics.
  std::size_t known_chats() const noexcept { return last_seq_.size(); }
  std::uint64_t misses() const noexcept { return misses_; }

 private:
  // The tail of a chat as the forecast knows it. content_count is not checked
  // by the database (the check catches a stale last_seq, and content_count
  // only ever moves with last_seq, in the same statement), so it is kept and
  // forgotten with last_seq.
  struct Tail {
    Seq last_seq = 0;
    std::int64_t content_count = 0;
  };

  void set_tails(const AdvancedChats& advanced);
  void bound();

  std::size_t max_entries_;
  std::unordered_map<ChatId, Tail> last_seq_;
  std::set<std::pair<ChatId, UserId>> members_;
  unsigned consecutive_misses_ = 0;
  std::uint32_t skip_ = 0;  // batches left to take the two-round-trip path
  std::uint64_t misses_ = 0;
};

}  // namespace chat::storage::detail
