#include "append_plan.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace chat::storage::detail {
namespace {

using ClientKey = std::pair<UserId, std::string_view>;

}  // namespace

AppendKeys collect_append_keys(std::span<const NewMessage> batch) {
  std::set<ChatId> chats;
  std::set<std::pair<ChatId, UserId>> memberships;
  std::set<ClientKey> client_ids;
  for (const NewMessage& message : batch) {
    chats.insert(message.chat_id);
    memberships.emplace(message.chat_id, message.sender_id);
    client_ids.emplace(message.sender_id, message.client_msg_id);
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
  return keys;
}

AppendPlan plan_append(std::span<const NewMessage> batch, std::span<const ChatState> chats,
                       std::span<const Membership> memberships, std::span<const StoredClientId> stored) {
  std::map<ChatId, ChatState> chat_by_id;
  for (const ChatState& chat : chats) chat_by_id.emplace(chat.id, chat);
  std::set<std::pair<ChatId, UserId>> members;
  for (const Membership& m : memberships) members.emplace(m.chat_id, m.user_id);
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
    } else if (chat->second.deleted) {
      result.status = AppendStatus::chat_deleted;
    } else if (!members.contains({message.chat_id, message.sender_id})) {
      result.status = AppendStatus::not_member;
    } else if (const auto& gone = chat->second.deleted_members; !gone.empty()) {
      const bool sender_gone = std::find(gone.begin(), gone.end(), message.sender_id) != gone.end();
      result.status = sender_gone ? AppendStatus::sender_deleted : AppendStatus::recipient_deleted;
    } else {
      result.seq = ++chat->second.last_seq;
      plan.inserts.push_back(i);
      advanced.insert(message.chat_id);
    }
  }

  for (const ChatId id : advanced) {
    plan.advanced_chat_ids.push_back(id);
    plan.advanced_last_seqs.push_back(chat_by_id.at(id).last_seq);
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
