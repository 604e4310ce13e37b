#pragma once
// Messages: the batched append (with or without notification jobs), the
// history readers, and moderation.
#include "chat/storage/connection.hpp"
#include "chat/storage/request_types.hpp"
#include "chat/storage/search.hpp"
#include "chat/storage/types.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace chat::storage {

// Where a page of one chat's history starts.
struct HistoryAnchor {
  enum class Kind {
    after_seq,    // messages with seq > value, oldest first
    before_seq,   // messages with seq < value, newest first
    before_time,  // messages stored before value (ms since the epoch), newest first
  };
  Kind kind = Kind::after_seq;
  std::int64_t value = 0;

  static HistoryAnchor after(Seq seq) noexcept { return {Kind::after_seq, seq}; }
  static HistoryAnchor before(Seq seq) noexcept { return {Kind::before_seq, seq}; }
  static HistoryAnchor before_time(TimeMs ms) noexcept { return {Kind::before_time, ms}; }
};

namespace detail {
class AppendForecast;
}

// How a MessageStore's batches were appended (see append_messages).
struct AppendPathCounts {
  std::uint64_t one_round_trip = 0;   // forecast held: committed in one round trip
  std::uint64_t forecast_missed = 0;  // forecast refused by the check: rolled back, then two round trips
  std::uint64_t two_round_trips = 0;  // every batch stored by the two-round-trip path (misses included)
};

class MessageStore {
 public:
  explicit MessageStore(Connection& connection);
  ~MessageStore();
  MessageStore(const MessageStore&) = delete;
  MessageStore& operator=(const MessageStore&) = delete;

  // Stores a batch in one transaction and returns one result per message, in
  // order. For each message, in this order of precedence:
  //  * (sender, client_msg_id) stored before, or earlier in the batch:
  //    `duplicate`, with the original's chat, seq and time (a client resend is
  //    stored once; the result's chat is the original's even if the resend
  //    named another);
  //  * the chat does not exist / is deleted / the sender is not a member:
  //    refused with chat_not_found / chat_deleted / not_member, seq 0; the rest
  //    of the batch is stored regardless;
  //  * otherwise `stored` under the chat's next seq. Seqs are gapless per chat,
  //    also with concurrent writers, and follow batch order within a chat.
  // A body that is not a JSON object, or a client id or type outside the
  // contract, fails the whole batch (DbError check_violation/invalid_input):
  // the bridge validates payloads before they get here.
  //  * a reply or an action (edit, deletion, reaction) whose target breaks
  //    a rule (types.hpp, AppendStatus; `rules`): refused, nothing of it
  //    stored; a stored action is applied to its target in the transaction.
  std::vector<AppendResult> append_messages(std::span<const NewMessage> batch, const ActionRules& rules = {});
  // A batch whose chats and senders this store wrote for before, that names
  // no target, and whose chats nobody else wrote into meanwhile, costs one
  // round trip (BEGIN, lock, a check of what the store expects, the writes,
  // COMMIT in one pipeline); otherwise, or when the check fails, two.
  //
  // append_messages, plus in the same transaction one notification_outbox job
  // per newly stored message and member other than the sender that has no
  // online device (devices.online).
  // Edits, deletions and reactions queue no job.
  std::vector<AppendResult> append_messages_notifying(std::span<const NewMessage> batch, const ActionRules& rules = {});
  // Committed appends by path since this store was made.
  AppendPathCounts append_path_counts() const noexcept { return path_counts_; }

  // Up to `limit` messages of a chat from `anchor`, in the anchor's order
  // (see HistoryAnchor); content withheld once moderated. The caller checks
  // membership.
  std::vector<StoredMessage> history(ChatId chat, HistoryAnchor anchor, int limit);
  // Up to `per_chat_limit` messages after each cursor, by chat id then seq
  // (a sync round over many chats at once).
  std::vector<StoredMessage> history(std::span<const ChatCursor> cursors, int per_chat_limit);

  // Moderation: withholds the message's content from now on (the row and its
  // seq stay); nullopt when there is no such message. Repeating keeps the first time.
  std::optional<StoredMessage> moderate_delete_message(ChatId chat, Seq seq);

  // Up to `limit` messages of the user's live chats (now) whose current text
  // holds query.text, newest first (time, chat, seq), each with a snippet;
  // never a deleted one (message_search.cpp, docs/bridge.md "Search"). The
  // caller checks that query.chat, if any, is one of the user's chats.
  std::vector<SearchHit> search(const SearchQuery& query);

  // The search indexer's step, in one transaction: copies the text of up to
  // `max_messages` stored messages past each chat's watermark into the search
  // table (edits and deletions for everyone bring their target's copy up to
  // date), and moves the watermarks. Until then search does not find them.
  // One indexer at a time across processes: the others' rounds return ran = false.
  SearchIndexRound index_for_search(int max_messages);
  // Messages stored and not yet indexed.
  std::int64_t search_index_backlog();

 private:
  std::vector<AppendResult> append(std::span<const NewMessage> batch, const ActionRules& rules, bool notifying);

  Connection& connection_;
  // What this store's writer expects of its chats (storage/src/append_forecast.hpp).
  std::unique_ptr<detail::AppendForecast> forecast_;
  AppendPathCounts path_counts_;
};

}  // namespace chat::storage
