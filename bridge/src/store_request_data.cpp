#include "store_request_data.hpp"

namespace chat::bridge {

using storage::Store;

std::vector<storage::UserId> StoreRequestData::live_users(std::span<const storage::UserId> users) {
  return db_.run([&](Store& s) { return s.users().live_among(users); });
}

std::vector<storage::ListedChatState> StoreRequestData::listed_chat_states(storage::UserId user,
                                                                           std::span<const storage::ChatId> chats) {
  return db_.run([&](Store& s) { return s.chats().listed_chat_states(user, chats); });
}

std::vector<storage::UserChat> StoreRequestData::user_chats(storage::UserId user, storage::ChatId after_chat,
                                                            int limit) {
  return db_.run([&](Store& s) { return s.chats().user_chats(user, after_chat, limit); });
}

std::vector<storage::UserChat> StoreRequestData::user_chats_not_listed(storage::UserId user,
                                                                       std::span<const storage::ChatId> listed,
                                                                       int limit) {
  return db_.run([&](Store& s) { return s.chats().user_chats_not_listed(user, listed, limit); });
}

std::vector<storage::Member> StoreRequestData::members(storage::ChatId chat) {
  return db_.run([&](Store& s) { return s.chats().members(chat); });
}

ChatWithMembers StoreRequestData::open_direct(storage::UserId a, storage::UserId b) {
  return db_.run([&](Store& s) {
    const storage::Chat chat = s.chats().open_direct(a, b);
    return ChatWithMembers{chat, s.chats().members(chat.id)};
  });
}

ChatWithMembers StoreRequestData::create_group(storage::UserId owner, std::string_view title,
                                               std::span<const storage::UserId> members) {
  return db_.run([&](Store& s) {
    const storage::Chat chat = s.chats().create_group(owner, title, members);
    return ChatWithMembers{chat, s.chats().members(chat.id)};
  });
}

storage::GroupChange StoreRequestData::add_group_members(storage::ChatId chat, storage::UserId actor,
                                                         std::span<const storage::UserId> users) {
  return db_.run([&](Store& s) { return s.chats().add_group_members(chat, actor, users); });
}

storage::GroupChange StoreRequestData::remove_group_members(storage::ChatId chat, storage::UserId actor,
                                                            std::span<const storage::UserId> users) {
  return db_.run([&](Store& s) { return s.chats().remove_group_members(chat, actor, users); });
}

storage::GroupChange StoreRequestData::delete_group(storage::ChatId chat, storage::UserId actor) {
  return db_.run([&](Store& s) { return s.chats().delete_group(chat, actor); });
}

std::vector<storage::StoredMessage> StoreRequestData::history(storage::ChatId chat, storage::HistoryAnchor anchor,
                                                              int limit) {
  return db_.run([&](Store& s) { return s.messages().history(chat, anchor, limit); });
}

std::vector<storage::StoredMessage> StoreRequestData::history(std::span<const storage::ChatCursor> cursors,
                                                              int per_chat_limit) {
  return db_.run([&](Store& s) { return s.messages().history(cursors, per_chat_limit); });
}

std::vector<storage::UserPresence> StoreRequestData::presence_of(std::span<const storage::UserId> users) {
  return db_.run([&](Store& s) { return s.delivery().presence_of(users); });
}

storage::BlockOutcome StoreRequestData::block_user(storage::UserId blocker, storage::UserId blocked) {
  return db_.run([&](Store& s) { return s.blocks().block(blocker, blocked); });
}

bool StoreRequestData::unblock_user(storage::UserId blocker, storage::UserId blocked) {
  return db_.run([&](Store& s) { return s.blocks().unblock(blocker, blocked); });
}

std::vector<storage::UserId> StoreRequestData::blocked_by(storage::UserId blocker) {
  return db_.run([&](Store& s) { return s.blocks().blocked_by(blocker); });
}

std::vector<storage::UserId> StoreRequestData::blocking(storage::UserId user, std::span<const storage::UserId> users) {
  return db_.run([&](Store& s) { return s.blocks().blocking(user, users); });
}

std::vector<storage::SearchHit> StoreRequestData::search(const storage::SearchQuery& query) {
  return db_.run([&](Store& s) { return s.messages().search(query); });
}

storage::PushRegistrationResult StoreRequestData::register_push_device(const storage::PushRegistration& registration,
                                                                       int max_devices) {
  return db_.run([&](Store& s) { return s.delivery().register_push_device(registration, max_devices); });
}

bool StoreRequestData::unregister_push_device(storage::UserId user, std::string_view device) {
  return db_.run([&](Store& s) { return s.delivery().unregister_push_device(user, device); });
}

storage::MuteStatus StoreRequestData::mute_chat(storage::UserId user, storage::ChatId chat,
                                                std::optional<storage::TimeMs> until_ms) {
  return db_.run([&](Store& s) { return s.delivery().mute_chat(user, chat, until_ms); });
}

}  // namespace chat::bridge
