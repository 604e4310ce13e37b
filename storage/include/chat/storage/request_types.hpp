#pragma once
// Records of the clients' requests (ChatStore, MessageStore, DeliveryStore):
// what the bridge's request path (docs/protocol.md section 4) reads and
// changes on behalf of a signed-in user.
#include "chat/storage/types.hpp"

#include <optional>
#include <vector>

namespace chat::storage {

// One chat of a user's chat list, with the user's own view of it.
struct UserChat {
  Chat chat;
  MemberRole role = MemberRole::member;
  Seq delivered_seq = 0;
  Seq read_seq = 0;
  std::optional<UserId> peer_id;  // direct chats: the other user
  // Messages of content (text, image, voice, file) after read_seq: edits,
  // deletions and reactions are not counted.
  std::int64_t unread_count = 0;
  // The user's mute of the chat (chat.mute) while it is ahead of the server's
  // clock; nullopt when not muted or the mute has run out.
  std::optional<TimeMs> muted_until_ms;

  std::int64_t unread() const { return unread_count; }
};

// What the user is to a chat it named in a sync request.
struct ListedChatState {
  ChatId chat_id = 0;
  std::optional<Chat> chat;  // nullopt: no such chat
  bool member = false;

  bool live_member() const { return chat && !chat->deleted() && member; }
};

// Where a sync continues in one chat: messages with seq > after_seq.
struct ChatCursor {
  ChatId chat_id = 0;
  Seq after_seq = 0;
};

struct UserPresence {
  UserId user_id = 0;
  bool online = false;
  std::optional<TimeMs> last_seen_ms;
};

// The outcome of a membership change requested by a member (the actor).
enum class GroupChangeStatus {
  ok,
  chat_not_found,    // no such chat
  chat_deleted,      // deleted before
  not_member,        // the actor is not a member
  direct_chat,       // direct chats keep their two members and are not deleted
  not_owner,         // only the owner may do this
  user_not_found,    // a named user is not a live account (see missing_users)
  too_many_members,  // the group would exceed the limit
};

struct GroupChange {
  GroupChangeStatus status = GroupChangeStatus::ok;
  std::vector<UserId> missing_users;   // user_not_found
  std::vector<UserId> added;           // members that are new
  std::vector<UserId> removed;         // members that left
  std::optional<UserId> new_owner;     // the owner left and this member took over
  bool deleted = false;                // the chat is deleted now (requested, or nobody was left)
  std::vector<UserId> members_before;  // by id, before the change
  Chat chat;                           // after the change (ok only)
  std::vector<Member> members;         // after the change, by user id (ok only)
};

}  // namespace chat::storage
