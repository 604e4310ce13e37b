#pragma once
// What answering a client's request reads and changes in the database, as an
// interface: the bridge implements it over a retrying Store session
// (src/store_request_data.hpp); unit tests implement it in memory, so the
// request logic (who may do what, paging, byte budgets) is tested without a
// server. Each call is one attempt-or-retry of one storage call; the chat
// records a change returns are read in the same attempt as the change.
#include "chat/storage/blocks.hpp"
#include "chat/storage/delivery_types.hpp"
#include "chat/storage/messages.hpp"
#include "chat/storage/request_types.hpp"
#include "chat/storage/types.hpp"

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace chat::bridge {

// A chat just opened or created, and its members by user id.
struct ChatWithMembers {
  storage::Chat chat;
  std::vector<storage::Member> members;
};

class RequestData {
 public:
  virtual ~RequestData() = default;

  // users: which are live accounts (sorted, unique); chats: see storage::ChatStore.
  virtual std::vector<storage::UserId> live_users(std::span<const storage::UserId> users) = 0;
  virtual std::vector<storage::ListedChatState> listed_chat_states(storage::UserId user,
                                                                   std::span<const storage::ChatId> chats) = 0;
  virtual std::vector<storage::UserChat> user_chats(storage::UserId user, storage::ChatId after_chat, int limit) = 0;
  virtual std::vector<storage::UserChat> user_chats_not_listed(storage::UserId user,
                                                               std::span<const storage::ChatId> listed, int limit) = 0;
  virtual std::vector<storage::Member> members(storage::ChatId chat) = 0;
  virtual ChatWithMembers open_direct(storage::UserId a, storage::UserId b) = 0;
  virtual ChatWithMembers create_group(storage::UserId owner, std::string_view title,
                                       std::span<const storage::UserId> members) = 0;
  virtual storage::GroupChange add_group_members(storage::ChatId chat, storage::UserId actor,
                                                 std::span<const storage::UserId> users) = 0;
  virtual storage::GroupChange remove_group_members(storage::ChatId chat, storage::UserId actor,
                                                    std::span<const storage::UserId> users) = 0;
  virtual storage::GroupChange delete_group(storage::ChatId chat, storage::UserId actor) = 0;

  // messages: see storage::MessageStore::history.
  virtual std::vector<storage::StoredMessage> history(storage::ChatId chat, storage::HistoryAnchor anchor,
                                                      int limit) = 0;
  virtual std::vector<storage::StoredMessage> history(std::span<const storage::ChatCursor> cursors,
                                                      int per_chat_limit) = 0;

  // hits: see storage::MessageStore::search.
  virtual std::vector<storage::SearchHit> search(const storage::SearchQuery& query) = 0;

  // presence of the users that exist among `users`, by id.
  virtual std::vector<storage::UserPresence> presence_of(std::span<const storage::UserId> users) = 0;

  // blocks: see storage::BlockStore.
  virtual storage::BlockOutcome block_user(storage::UserId blocker, storage::UserId blocked) = 0;
  virtual bool unblock_user(storage::UserId blocker, storage::UserId blocked) = 0;
  virtual std::vector<storage::UserId> blocked_by(storage::UserId blocker) = 0;
  virtual std::vector<storage::UserId> blocking(storage::UserId user, std::span<const storage::UserId> users) = 0;
  // push: see storage::DeliveryStore.
  virtual storage::PushRegistrationResult register_push_device(const storage::PushRegistration& registration,
                                                               int max_devices) = 0;
  virtual bool unregister_push_device(storage::UserId user, std::string_view device) = 0;
  virtual storage::MuteStatus mute_chat(storage::UserId user, storage::ChatId chat,
                                        std::optional<storage::TimeMs> until_ms) = 0;
};

}  // namespace chat::bridge
