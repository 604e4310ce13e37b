// Membership changes requested by a member (the bridge's request path,
// docs/protocol.md section 4), each checked against the acting member in the
// same transaction that applies it.
#include "chat/storage/chats.hpp"

#include "chat/storage/limits.hpp"
#include "record_readers.hpp"
#include "sql/requests_sql.hpp"

#include <algorithm>

namespace chat::storage {
namespace {

std::vector<UserId> read_ids(const Rows& rows, std::string_view column) {
  auto ids = detail::read_rows(rows, [&](const Row& row) { return row.int64(column); });
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<UserId> sorted_unique(std::span<const UserId> ids) {
  std::vector<UserId> out(ids.begin(), ids.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// The chat's row locked, and the actor's standing in it. ok when the actor
// is a member of a live group (owner or not: callers check what they need).
struct LockedChat {
  GroupChangeStatus status = GroupChangeStatus::ok;
  std::optional<UserId> owner_id;
  std::vector<UserId> members;  // by id
};

LockedChat lock_group_for_change(Connection& tx, ChatId chat, UserId actor) {
  LockedChat locked;
  const auto row = tx.execute(sql::kLockChatForChange, chat).at_most_one();
  if (!row) {
    locked.status = GroupChangeStatus::chat_not_found;
    return locked;
  }
  if (row->boolean("deleted")) {
    locked.status = GroupChangeStatus::chat_deleted;
    return locked;
  }
  locked.owner_id = row->optional_int64("owner_id");
  locked.members = read_ids(tx.execute(sql::kMemberIds, chat), "user_id");
  if (!std::binary_search(locked.members.begin(), locked.members.end(), actor)) {
    locked.status = GroupChangeStatus::not_member;
  } else if (row->text("kind") != "group") {
    locked.status = GroupChangeStatus::direct_chat;
  }
  return locked;
}

void read_chat_after(Connection& tx, ChatId chat, GroupChange& change) {
  change.chat = detail::read_chat(tx.execute(sql::kFindChatAfterChange, chat).one());
  change.members.clear();
  for (const Row row : tx.execute(sql::kMembersAfterChange, chat)) change.members.push_back(detail::read_member(row));
}

GroupChange refused(GroupChangeStatus status) {
  GroupChange change;
  change.status = status;
  return change;
}

}  // namespace

GroupChange ChatStore::add_group_members(ChatId chat, UserId actor, std::span<const UserId> users) {
  const std::vector<UserId> wanted = sorted_unique(users);
  return connection_.transaction([&](Connection& tx) {
    const LockedChat locked = lock_group_for_change(tx, chat, actor);
    if (locked.status != GroupChangeStatus::ok) return refused(locked.status);
    if (locked.owner_id != actor) return refused(GroupChangeStatus::not_owner);
    const std::vector<UserId> live = read_ids(tx.execute(sql::kLiveUsers, Param::int64_array(wanted)), "id");
    if (live.size() != wanted.size()) {
      GroupChange change = refused(GroupChangeStatus::user_not_found);
      std::set_difference(wanted.begin(), wanted.end(), live.begin(), live.end(),
                          std::back_inserter(change.missing_users));
      return change;
    }
    std::vector<UserId> newcomers;
    std::set_difference(wanted.begin(), wanted.end(), locked.members.begin(), locked.members.end(),
                        std::back_inserter(newcomers));
    if (locked.members.size() + newcomers.size() > kMaxGroupMembers)
      return refused(GroupChangeStatus::too_many_members);
    GroupChange change;
    change.members_before = locked.members;
    change.added = read_ids(tx.execute(sql::kAddMembers, chat, Param::int64_array(newcomers)), "user_id");
    if (!change.added.empty()) tx.execute(sql::kTouchChatForChange, chat);
    read_chat_after(tx, chat, change);
    return change;
  });
}

GroupChange ChatStore::remove_group_members(ChatId chat, UserId actor, std::span<const UserId> users) {
  const std::vector<UserId> leaving = sorted_unique(users);
  return connection_.transaction([&](Connection& tx) {
    const LockedChat locked = lock_group_for_change(tx, chat, actor);
    if (locked.status != GroupChangeStatus::ok) return refused(locked.status);
    const bool only_self = leaving.size() == 1 && leaving.front() == actor;
    if (locked.owner_id != actor && !only_self) return refused(GroupChangeStatus::not_owner);
    GroupChange change;
    change.members_before = locked.members;
    change.removed = read_ids(tx.execute(sql::kRemoveMembers, chat, Param::int64_array(leaving)), "user_id");
    if (!change.removed.empty()) {
      const bool owner_left =
          locked.owner_id && std::binary_search(change.removed.begin(), change.removed.end(), *locked.owner_id);
      if (owner_left) {
        if (const auto heir = tx.execute(sql::kPassOwnership, chat).at_most_one()) {
          change.new_owner = heir->int64("owner_id");
        }
      }
      if (change.removed.size() == locked.members.size()) {
        tx.execute(sql::kDeleteChat, chat);  // nobody is left
        change.deleted = true;
      } else {
        tx.execute(sql::kTouchChatForChange, chat);
      }
    }
    read_chat_after(tx, chat, change);
    return change;
  });
}

GroupChange ChatStore::delete_group(ChatId chat, UserId actor) {
  return connection_.transaction([&](Connection& tx) {
    const LockedChat locked = lock_group_for_change(tx, chat, actor);
    if (locked.status != GroupChangeStatus::ok) return refused(locked.status);
    if (locked.owner_id != actor) return refused(GroupChangeStatus::not_owner);
    GroupChange change;
    change.members_before = locked.members;
    tx.execute(sql::kDeleteChat, chat);
    change.deleted = true;
    read_chat_after(tx, chat, change);
    return change;
  });
}

}  // namespace chat::storage
