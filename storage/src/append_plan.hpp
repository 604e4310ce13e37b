#pragma once
// The decisions of Store::append_messages, kept apart from the SQL so that
// they are plain functions of their inputs (and unit-tested as such):
//
//   keys  = collect_append_keys(batch)        what to ask the database
//   plan  = plan_append(batch, <answers>)     who is refused, who is a duplicate,
//                                             which seq each new message gets
//   complete_append(plan, <insert result>)    the server times of the new rows
#include "chat/storage/types.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace chat::storage::detail {

// Parallel arrays, ready to be passed as array parameters.
struct AppendKeys {
  std::vector<ChatId> chat_ids;  // distinct, ascending: the lock order
  // Distinct (chat, sender) pairs.
  std::vector<ChatId> member_chat_ids;
  std::vector<UserId> member_user_ids;
  // Distinct (sender, client id) pairs; the views point into the batch.
  std::vector<UserId> client_sender_ids;
  std::vector<std::string_view> client_msg_ids;
  // Distinct (chat, seq) pairs named by a target or a reply_to.
  std::vector<ChatId> target_chat_ids;
  std::vector<Seq> target_seqs;
  // Distinct (chat, target, sender) triples of the batch's reactions: whose
  // stored reactions the per-user cap counts.
  std::vector<ChatId> reaction_chat_ids;
  std::vector<Seq> reaction_targets;
  std::vector<UserId> reaction_user_ids;
};

AppendKeys collect_append_keys(std::span<const NewMessage> batch);

struct ChatState {
  ChatId id = 0;
  Seq last_seq = 0;
  bool deleted = false;
  // A direct chat's members whose accounts were deleted (they stay members:
  // the history is the other user's conversation, but nothing new reaches them).
  std::vector<UserId> deleted_members;
  // Messages of content stored in the chat (v13: what unread counts count).
  std::int64_t content_count = 0;
};

struct Membership {
  ChatId chat_id = 0;
  UserId user_id = 0;
  bool owner = false;  // the group's owner (direct chats have none)
};

// A stored message that the batch acts on or replies to.
struct StoredTarget {
  ChatId chat_id = 0;
  Seq seq = 0;
  UserId sender_id = 0;
  MessageType type = MessageType::text;
  bool deleted = false;
  TimeMs age_ms = 0;  // how long ago it was stored, by the database's clock
};

// What the batch's stored actions do to their targets, applied in the same
// transaction. At most one entry per target (edits, deletions) or per
// reaction key: the net effect of the batch, in batch order.
struct TargetEdit {
  ChatId chat_id = 0;
  Seq target = 0;
  Seq action_seq = 0;     // the edit message: its server time is edited_at
  std::string_view text;  // points into the batch
};
struct TargetDeletion {
  ChatId chat_id = 0;
  Seq target = 0;
  Seq action_seq = 0;  // the delete message: its server time is deleted_at
};
struct ReactionKey {
  ChatId chat_id = 0;
  Seq target = 0;
  UserId user_id = 0;
  std::string_view emoji;  // points into the batch
  // The order of the map that nets a batch's reactions. Not a defaulted <=>:
  // clang-tidy 14 takes the `0` that the language compares its result with for a
  // null pointer (modernize-use-nullptr, llvm#53961) and no NOLINT silences it.
  friend bool operator==(const ReactionKey&, const ReactionKey&) = default;
  friend bool operator<(const ReactionKey& a, const ReactionKey& b) {
    return std::tie(a.chat_id, a.target, a.user_id, a.emoji) < std::tie(b.chat_id, b.target, b.user_id, b.emoji);
  }
};

// A reaction stored before, of a (chat, target, user) the batch reacts as.
struct StoredReaction {
  ChatId chat_id = 0;
  Seq target = 0;
  UserId user_id = 0;
  std::string emoji;
};

struct StoredClientId {
  UserId sender_id = 0;
  std::string client_msg_id;
  ChatId chat_id = 0;
  Seq seq = 0;
};

struct AppendPlan {
  std::vector<AppendResult> results;  // one per message, in batch order
  std::vector<std::size_t> inserts;   // batch indexes to store, in seq order per chat
  // Batch indexes answered by an original stored before: their server time is
  // read in the write round trip (rare: resends only).
  std::vector<std::size_t> duplicates;
  // The chats' last_seq and content_count after the batch (only chats that
  // receive messages).
  std::vector<ChatId> advanced_chat_ids;
  std::vector<Seq> advanced_last_seqs;
  std::vector<std::int64_t> advanced_content_counts;
  // Per entry of `inserts`: its chat's content_count up to and including it.
  std::vector<std::int64_t> insert_content_counts;
  // (later, first): the same (sender, client id) again within the batch; the
  // later one gets the first one's outcome, as a duplicate when it was stored.
  std::vector<std::pair<std::size_t, std::size_t>> repeats;
  std::vector<TargetEdit> edits;
  std::vector<TargetDeletion> deletions;
  std::vector<ReactionKey> reactions_added;
  std::vector<ReactionKey> reactions_removed;
};

// `chats`: the batch's chats that exist, as locked; `memberships`: the
// (chat, sender) pairs that are members; `stored`: the (sender, client id)
// pairs stored before. Per message, in this order: an earlier occurrence in
// the batch decides; then a stored original (duplicate); then a missing chat,
// a deleted chat, a non-member, a direct chat with a deleted account
// (refused); then, for a reply or an action, its target (`targets`: the
// stored messages the batch names; a message earlier in the batch counts as
// stored): missing, deleted, of the wrong type, not the sender's to change,
// out of the edit window; a reaction with an emoji that would give its sender
// more than rules.max_reactions_per_user on the target (`reactions`: the
// stored ones of the batch's reacting users and targets, plus the batch's
// net effect so far) (refused, nothing stored); otherwise the chat's next
// seq, and the action's effect joins the plan.
AppendPlan plan_append(std::span<const NewMessage> batch, std::span<const ChatState> chats,
                       std::span<const Membership> memberships, std::span<const StoredClientId> stored,
                       std::span<const StoredTarget> targets = {}, std::span<const StoredReaction> reactions = {},
                       const ActionRules& rules = {});

// Sets created_at_ms of the newly stored messages and of the duplicates of
// stored originals, looked up by (chat, seq), and of their repeats in the batch.
void complete_append(AppendPlan& plan, const std::map<std::pair<ChatId, Seq>, TimeMs>& created_at);

}  // namespace chat::storage::detail
