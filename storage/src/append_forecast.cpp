#include "append_forecast.hpp"

#include <algorithm>
#include <limits>

namespace chat::storage::detail {

std::optional<ForecastReads> AppendForecast::predict(const AppendKeys& keys) {
  if (skip_ > 0) {
    --skip_;
    return std::nullopt;
  }
  if (!keys.target_seqs.empty()) return std::nullopt;
  ForecastReads reads;
  reads.chats.reserve(keys.chat_ids.size());
  for (const ChatId chat : keys.chat_ids) {
    const auto known = last_seq_.find(chat);
    if (known == last_seq_.end()) return std::nullopt;
    reads.chats.push_back(ChatState{chat, known->second.last_seq, /*deleted=*/false, {}, known->second.content_count});
  }
  reads.memberships.reserve(keys.member_chat_ids.size());
  for (std::size_t i = 0; i < keys.member_chat_ids.size(); ++i) {
    const std::pair<ChatId, UserId> pair{keys.member_chat_ids[i], keys.member_user_ids[i]};
    if (!members_.contains(pair)) return std::nullopt;
    // owner only matters to deletions, which name targets: never forecast.
    reads.memberships.push_back(Membership{pair.first, pair.second, /*owner=*/false});
  }
  return reads;
}

void AppendForecast::learn(std::span<const ChatState> chats, std::span<const Membership> memberships,
                           const AdvancedChats& advanced) {
  for (const ChatState& chat : chats) {
    if (chat.deleted || !chat.deleted_members.empty()) {
      last_seq_.erase(chat.id);
    } else {
      last_seq_[chat.id] = Tail{chat.last_seq, chat.content_count};
    }
  }
  set_tails(advanced);
  for (const Membership& m : memberships) members_.emplace(m.chat_id, m.user_id);
  bound();
}

void AppendForecast::advance(const AdvancedChats& advanced) {
  set_tails(advanced);
  consecutive_misses_ = 0;
}

void AppendForecast::set_tails(const AdvancedChats& advanced) {
  const std::size_t n = std::min({advanced.chat_ids.size(), advanced.last_seqs.size(), advanced.content_counts.size()});
  for (std::size_t i = 0; i < n; ++i) {
    const auto known = last_seq_.find(advanced.chat_ids[i]);
    if (known != last_seq_.end()) known->second = Tail{advanced.last_seqs[i], advanced.content_counts[i]};
  }
}

void AppendForecast::missed(std::span<const ChatId> chat_ids) {
  for (const ChatId chat : chat_ids) {
    last_seq_.erase(chat);
    // The chat's memberships too: one of them may have ended.
    members_.erase(members_.lower_bound({chat, std::numeric_limits<UserId>::min()}),
                   members_.upper_bound({chat, std::numeric_limits<UserId>::max()}));
  }
  ++misses_;
  consecutive_misses_ = std::min(consecutive_misses_ + 1, 10U);
  skip_ = (1U << consecutive_misses_) - 1;
}

void AppendForecast::clear() {
  last_seq_.clear();
  members_.clear();
}

void AppendForecast::bound() {
  if (last_seq_.size() > max_entries_ || members_.size() > max_entries_) clear();
}

}  // namespace chat::storage::detail
