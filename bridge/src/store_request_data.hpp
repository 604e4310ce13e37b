#pragma once
// RequestData over a DbSession: each call runs its Store calls as one
// operation, retried by the session as any other database work.
#include "chat/bridge/request_data.hpp"
#include "db_session.hpp"

namespace chat::bridge {

class StoreRequestData final : public RequestData {
 public:
  explicit StoreRequestData(DbSession& db) noexcept : db_(db) {}

  std::vector<storage::UserId> live_users(std::span<const storage::UserId> users) override;
  std::vector<storage::ListedChatState> listed_chat_states(storage::UserId user,
                                                           std::span<const storage::ChatId> chats) override;
  std::vector<storage::UserChat> user_chats(storage::UserId user, storage::ChatId after_chat, int limit) override;
  std::vector<storage::UserChat> user_chats_not_listed(storage::UserId user, std::span<const storage::ChatId> listed,
                                                       int limit) override;
  std::vector<storage::Member> members(storage::ChatId chat) override;
  ChatWithMembers open_direct(storage::UserId a, storage::UserId b) override;
  ChatWithMembers create_group(storage::UserId owner, std::string_view title,
                               std::span<const storage::UserId> members) override;
  storage::GroupChange add_group_members(storage::ChatId chat, storage::UserId actor,
                                         std::span<const storage::UserId> users) override;
  storage::GroupChange remove_group_members(storage::ChatId chat, storage::UserId actor,
                                            std::span<const storage::UserId> users) override;
  storage::GroupChange delete_group(storage::ChatId chat, storage::UserId actor) override;
  std::vector<storage::StoredMessage> history(storage::ChatId chat, storage::HistoryAnchor anchor, int limit) override;
  std::vector<storage::StoredMessage> history(std::span<const storage::ChatCursor> cursors,
                                              int per_chat_limit) override;
  std::vector<storage::UserPresence> presence_of(std::span<const storage::UserId> users) override;
  storage::BlockOutcome block_user(storage::UserId blocker, storage::UserId blocked) override;
  bool unblock_user(storage::UserId blocker, storage::UserId blocked) override;
  std::vector<storage::UserId> blocked_by(storage::UserId blocker) override;
  std::vector<storage::UserId> blocking(storage::UserId user, std::span<const storage::UserId> users) override;
  std::vector<storage::SearchHit> search(const storage::SearchQuery& query) override;
  storage::PushRegistrationResult register_push_device(const storage::PushRegistration& registration,
                                                       int max_devices) override;
  bool unregister_push_device(storage::UserId user, std::string_view device) override;
  storage::MuteStatus mute_chat(storage::UserId user, storage::ChatId chat,
                                std::optional<storage::TimeMs> until_ms) override;

 private:
  DbSession& db_;
};

}  // namespace chat::bridge
