#pragma once
// Chats and their members: groups and direct chats, the lists a member or an
// operator reads, and membership changes. The group cap (limits.hpp) is
// checked here, whichever path adds the member.
#include "chat/storage/admin_types.hpp"
#include "chat/storage/connection.hpp"
#include "chat/storage/delivery_types.hpp"
#include "chat/storage/request_types.hpp"
#include "chat/storage/types.hpp"

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace chat::storage {

class ChatStore {
 public:
  explicit ChatStore(Connection& connection) noexcept : connection_(connection) {}

  // A group owned by `owner` (role owner) with `members` (role member;
  // repeats and the owner are ignored). More than kMaxGroupMembers in all is
  // DbError{invalid_input}.
  Chat create_group(UserId owner, std::string_view title, std::span<const UserId> members);
  // The direct chat of a and b, created on first use; (a, b) and (b, a) are the
  // same chat, also when opened concurrently. a == b is DbError{invalid_input}.
  Chat open_direct(UserId a, UserId b);
  // The direct chat of each pair (in order), created with its two members on
  // first use, in one transaction however many pairs. No chat when a user does
  // not exist or from == to (the flags say which user is missing).
  std::vector<DirectChatRef> resolve_direct_chats(std::span<const UserPair> pairs);

  std::optional<Chat> find(ChatId id);            // deleted chats too (see deleted())
  std::optional<ChatSummary> summary(ChatId id);  // with its member count
  // Pages of summaries, by id after `after_id`: every chat (of a kind), or a user's.
  std::vector<ChatSummary> list(ChatId after_id, int limit, std::optional<ChatKind> kind);
  std::vector<ChatSummary> list_of_user(UserId user, ChatId after_id, int limit);

  // A page of the user's live chats with id > after_chat, by id, as the member sees them.
  std::vector<UserChat> user_chats(UserId user, ChatId after_chat, int limit);
  // Up to `limit` live chats of the user that are not in `listed`, by id.
  std::vector<UserChat> user_chats_not_listed(UserId user, std::span<const ChatId> listed, int limit);
  // Each chat of `chats`, in order: whether it exists (and its row), and
  // whether the user is a member of it.
  std::vector<ListedChatState> listed_chat_states(UserId user, std::span<const ChatId> chats);

  std::vector<Member> members(ChatId chat);  // by user id
  // A page of members after `after_user`, with their names.
  std::vector<MemberProfile> member_page(ChatId chat, UserId after_user, int limit);

  // An operator's changes: groups only; direct chats keep their two members.
  // Adding to a group that has kMaxGroupMembers already is group_full;
  // removing its owner is refused (owner): it leaves by its own request, or
  // its account is disabled or deleted.
  MembershipChange add_member(ChatId chat, UserId user);
  MembershipChange remove_member(ChatId chat, UserId user);

  // Membership changes requested by `actor`, each checked and applied in one
  // transaction under the chat's row lock (the lock message writers take, so
  // the change lands between two batches). Only the owner adds, removes
  // others and deletes; a member may remove itself; a group never grows past
  // kMaxGroupMembers. When the owner leaves, the member who joined first
  // becomes the owner; when nobody is left, the chat is deleted. Deleting is
  // soft: the rows stay, messages are refused.
  GroupChange add_group_members(ChatId chat, UserId actor, std::span<const UserId> users);
  GroupChange remove_group_members(ChatId chat, UserId actor, std::span<const UserId> users);
  GroupChange delete_group(ChatId chat, UserId actor);

 private:
  Connection& connection_;
};

}  // namespace chat::storage
