#include "append_plan.hpp"

#include <algorithm>
#include <set>
#include <tuple>
#include <stdexcept>

namespace chat::storage::detail {
namespace {

using ClientKey = std::pair<UserId, std::string_view>;
using MessageKey = std::pair<ChatId, Seq>;
using ReactorKey = std::tuple<ChatId, Seq, UserId>;  // a user's reactions on one message

bool is_action(MessageType type) {
  return type == MessageType::edit || type == MessageType::deletion || type == MessageType::reaction;
}

// What the plan knows of a message that can be acted on: read from the
// database, or stored earlier in this batch.
struct TargetState {
  UserId sender_id = 0;
  MessageType type = MessageType::text;
  bool deleted = false;
  TimeMs age_ms = 0;
};

// Why a reply or an action cannot be stored, or `stored` when it can.
AppendStatus check_references(const NewMessage& message, const std::map<MessageKey, TargetState>& known,
                              bool sender_owns_chat, const ActionRules& rules) {
  if (message.reply_to != 0) {
    const auto reply = known.find({message.chat_id, message.reply_to});
    if (reply == known.end()) return AppendStatus::target_not_found;
    if (!carries_content(reply->second.type)) return AppendStatus::target_wrong_type;
  }
  if (!is_action(message.type)) return AppendStatus::stored;
  const auto found = known.find({message.chat_id, message.target});
  if (found == known.end()) return AppendStatus::target_not_found;
  const TargetState& target = found->second;
  if (!carries_content(target.type)) return AppendStatus::target_wrong_type;
  if (target.deleted) return AppendStatus::target_deleted;
  const bool author = target.sender_id == message.sender_id;
  switch (message.type) {
    case MessageType::edit:
      if (target.type != MessageType::text) return AppendStatus::target_wrong_type;
      if (!author) return AppendStatus::not_author;
      if (target.age_ms > rules.edit_window_ms) return AppendStatus::edit_window_expired;
      return AppendStatus::stored;
    case MessageType::deletion:
      return author || sender_owns_chat ? AppendStatus::stored : AppendStatus::not_author;
    default:
      return AppendStatus::stored;
  }
}

}  // namespace

AppendKeys collect_append_keys(std::span<const NewMessage> batch) {
  std::set<ChatId> chats;
  std::set<std::pair<ChatId, UserId>> memberships;
  std::set<ClientKey> client_ids;
  std::set<MessageKey> targets;
  std::set<ReactorKey> reactors;
  for (const NewMessage& message : batch) {
    chats.insert(message.chat_id);
    memberships.emplace(message.chat_id, message.sender_id);
    client_ids.emplace(message.sender_id, message.client_msg_id);
    if (message.reply_to != 0) targets.emplace(message.chat_id, message.reply_to);
    if (is_action(message.type) && message.target != 0) targets.emplace(message.chat_id, message.target);
    if (message.type == MessageType::reaction && !message.remove) {
      reactors.emplace(message.chat_id, message.target, message.sender_id);
    }
  }

  AppendKeys keys;
  keys.chat_ids.assign(chats.begin(), chats.end());
  for (const auto& [chat, user] : memberships) {
    keys.member_chat_ids.push_back(chat);
    keys.member_user_ids.push_back(user);
  }
  for (const auto& [sender, client_id] : client_ids) {
    keys.client_sender_ids.push_back(sender);
    keys.client_msg_ids.push_back(client_id);
  }
  for (const auto& [chat, seq] : targets) {
    keys.target_chat_ids.push_back(chat);
    keys.target_seqs.push_back(seq);
  }
  for (const auto& [chat, target, user] : reactors) {
    keys.reaction_chat_ids.push_back(chat);
    keys.reaction_targets.push_back(target);
    keys.reaction_user_ids.push_back(user);
  }
  return keys;
}

AppendPlan plan_append(std::span<const NewMessage> batch, std::span<const ChatState> chats,
                       std::span<const Membership> memberships, std::span<const StoredClientId> stored,
                       std::span<const StoredTarget> targets, std::span<const StoredReaction> reactions,
                       const ActionRules& rules) {
  std::map<ChatId, ChatState> chat_by_id;
  for (const ChatState& chat : chats) chat_by_id.emplace(chat.id, chat);
  std::map<std::pair<ChatId, UserId>, bool> members;  // -> owns the group
  for (const Membership& m : memberships) members.emplace(std::pair{m.chat_id, m.user_id}, m.owner);
  std::map<MessageKey, TargetState> known;
  for (const StoredTarget& t : targets) {
    known.emplace(MessageKey{t.chat_id, t.seq}, TargetState{t.sender_id, t.type, t.deleted, t.age_ms});
  }
  // The net effect on targets, in batch order (a later action on the same key wins).
  std::map<MessageKey, TargetEdit> edits;
  std::map<MessageKey, TargetDeletion> deletions;
  std::map<ReactionKey, bool> reaction_changes;  // -> added (false: removed)
  // Each reacting user's emoji per target: stored, then as the batch leaves them.
  std::map<ReactorKey, std::set<std::string_view>> emoji_held;
  for (const StoredReaction& r : reactions) emoji_held[{r.chat_id, r.target, r.user_id}].insert(r.emoji);
  std::map<ClientKey, const StoredClientId*> stored_by_key;
  for (const StoredClientId& s : stored) stored_by_key.emplace(ClientKey{s.sender_id, s.client_msg_id}, &s);

  AppendPlan plan;
  plan.results.resize(batch.size());
  std::map<ClientKey, std::size_t> first_by_key;
  std::set<ChatId> advanced;

  for (std::size_t i = 0; i < batch.size(); ++i) {
    const NewMessage& message = batch[i];
    const ClientKey key{message.sender_id, message.client_msg_id};
    AppendResult& result = plan.results[i];

    if (const auto first = first_by_key.find(key); first != first_by_key.end()) {
      plan.repeats.emplace_back(i, first->second);
      result = plan.results[first->second];
      if (result.status == AppendStatus::stored) result.status = AppendStatus::duplicate;
      continue;
    }
    first_by_key.emplace(key, i);

    if (const auto original = stored_by_key.find(key); original != stored_by_key.end()) {
      const StoredClientId& s = *original->second;
      result = {AppendStatus::duplicate, s.chat_id, s.seq, 0};
      plan.duplicates.push_back(i);
      continue;
    }
    result = {AppendStatus::stored, message.chat_id, 0, 0};
    const auto chat = chat_by_id.find(message.chat_id);
    if (chat == chat_by_id.end()) {
      result.status = AppendStatus::chat_not_found;
      continue;
    }
    if (chat->second.deleted) {
      result.status = AppendStatus::chat_deleted;
      continue;
    }
    const auto member = members.find({message.chat_id, message.sender_id});
    if (member == members.end()) {
      result.status = AppendStatus::not_member;
      continue;
    }
    if (const auto& gone = chat->second.deleted_members; !gone.empty()) {
      const bool sender_gone = std::find(gone.begin(), gone.end(), message.sender_id) != gone.end();
      result.status = sender_gone ? AppendStatus::sender_deleted : AppendStatus::recipient_deleted;
      continue;
    }
    if (const AppendStatus refused = check_references(message, known, member->second, rules);
        refused != AppendStatus::stored) {
      result.status = refused;
      continue;
    }
    if (message.type == MessageType::reaction && !message.remove) {
      const auto held = emoji_held.find({message.chat_id, message.target, message.sender_id});
      const bool new_emoji = held == emoji_held.end() || !held->second.contains(message.emoji);
      const std::size_t count = held == emoji_held.end() ? 0 : held->second.size();
      if (new_emoji && count >= rules.max_reactions_per_user) {
        result.status = AppendStatus::too_many_reactions;
        continue;
      }
    }
    result.seq = ++chat->second.last_seq;
    if (carries_content(message.type)) ++chat->second.content_count;
    plan.inserts.push_back(i);
    plan.insert_content_counts.push_back(chat->second.content_count);
    advanced.insert(message.chat_id);
    known[{message.chat_id, result.seq}] = TargetState{message.sender_id, message.type, false, 0};
    const MessageKey target{message.chat_id, message.target};
    switch (message.type) {
      case MessageType::edit:
        edits[target] = TargetEdit{message.chat_id, message.target, result.seq, message.edit_text};
        break;
      case MessageType::deletion:
        deletions[target] = TargetDeletion{message.chat_id, message.target, result.seq};
        known[target].deleted = true;
        break;
      case MessageType::reaction: {
        reaction_changes[ReactionKey{message.chat_id, message.target, message.sender_id, message.emoji}] =
            !message.remove;
        std::set<std::string_view>& held = emoji_held[{message.chat_id, message.target, message.sender_id}];
        if (message.remove) {
          held.erase(message.emoji);
        } else {
          held.insert(message.emoji);
        }
        break;
      }
      default:
        break;
    }
  }
  for (const auto& [key, edit] : edits) plan.edits.push_back(edit);
  for (const auto& [key, deletion] : deletions) plan.deletions.push_back(deletion);
  for (const auto& [key, added] : reaction_changes) {
    (added ? plan.reactions_added : plan.reactions_removed).push_back(key);
  }

  for (const ChatId id : advanced) {
    plan.advanced_chat_ids.push_back(id);
    plan.advanced_last_seqs.push_back(chat_by_id.at(id).last_seq);
    plan.advanced_content_counts.push_back(chat_by_id.at(id).content_count);
  }
  return plan;
}

void complete_append(AppendPlan& plan, const std::map<std::pair<ChatId, Seq>, TimeMs>& created_at) {
  const auto set_time = [&](std::size_t i) {
    AppendResult& result = plan.results[i];
    const auto found = created_at.find({result.chat_id, result.seq});
    if (found == created_at.end()) {
      throw std::logic_error("append: no server time returned for a stored message");
    }
    result.created_at_ms = found->second;
  };
  for (const std::size_t i : plan.inserts) set_time(i);
  for (const std::size_t i : plan.duplicates) set_time(i);
  for (const auto& [later, first] : plan.repeats) {
    plan.results[later].created_at_ms = plan.results[first].created_at_ms;
  }
}

}  // namespace chat::storage::detail
