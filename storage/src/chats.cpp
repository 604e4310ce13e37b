// Chats and their members: creating groups and direct chats, finding them,
// and an operator's membership changes.
#include "chat/storage/chats.hpp"

#include "chat/storage/limits.hpp"
#include "record_readers.hpp"
#include "sql/chats_sql.hpp"

#include <algorithm>
#include <string>

namespace chat::storage {
namespace {

// The members a new group would have: the owner and the distinct others.
std::size_t group_size(UserId owner, std::span<const UserId> members) {
  std::vector<UserId> all(members.begin(), members.end());
  all.push_back(owner);
  std::sort(all.begin(), all.end());
  return static_cast<std::size_t>(std::unique(all.begin(), all.end()) - all.begin());
}

}  // namespace

Chat ChatStore::create_group(UserId owner, std::string_view title, std::span<const UserId> members) {
  if (group_size(owner, members) > kMaxGroupMembers) {
    throw DbError(DbErrc::invalid_input, "a group has at most " + std::to_string(kMaxGroupMembers) + " members");
  }
  return connection_.transaction([&](Connection& tx) {
    Chat chat = detail::read_chat(tx.execute(sql::kCreateGroup, title, owner).one());
    tx.execute(sql::kAddGroupMembers, chat.id, owner, Param::int64_array(members));
    return chat;
  });
}

Chat ChatStore::open_direct(UserId a, UserId b) {
  if (a == b) throw DbError(DbErrc::invalid_input, "a direct chat needs two different users");
  const UserId lo = std::min(a, b);
  const UserId hi = std::max(a, b);
  return connection_.transaction([&](Connection& tx) {
    // Look first: the chat usually exists, and a conflicting INSERT would
    // still use up an id.
    if (const auto existing = tx.execute(sql::kFindDirect, lo, hi).at_most_one()) {
      return detail::read_chat(*existing);
    }
    if (const auto created = tx.execute(sql::kInsertDirect, lo, hi).at_most_one()) {
      Chat chat = detail::read_chat(*created);
      tx.execute(sql::kAddDirectMembers, chat.id, lo, hi);
      return chat;
    }
    // A concurrent opener created it after our first look and has committed
    // (ON CONFLICT waited for it); this statement's fresh snapshot sees it.
    return detail::read_chat(tx.execute(sql::kFindDirect, lo, hi).one());
  });
}

std::optional<Chat> ChatStore::find(ChatId id) {
  const auto row = connection_.execute(sql::kFindChat, id).at_most_one();
  if (!row) return std::nullopt;
  return detail::read_chat(*row);
}

MembershipChange ChatStore::add_member(ChatId chat, UserId user) {
  return connection_.transaction([&](Connection& tx) {
    if (!tx.execute(sql::kLockGroupForMembership, chat).at_most_one()) {
      return MembershipChange::chat_unavailable;
    }
    const Row count = tx.execute(sql::kMemberCount, chat, user).one();
    if (count.boolean("member")) return MembershipChange::unchanged;
    if (static_cast<std::size_t>(count.int64("members")) >= kMaxGroupMembers) return MembershipChange::group_full;
    if (tx.execute(sql::kAddMember, chat, user).affected_rows() == 0) {
      return MembershipChange::unchanged;
    }
    tx.execute(sql::kTouchChat, chat);
    return MembershipChange::changed;
  });
}

MembershipChange ChatStore::remove_member(ChatId chat, UserId user) {
  return connection_.transaction([&](Connection& tx) {
    const auto locked = tx.execute(sql::kLockGroupForMembership, chat).at_most_one();
    if (!locked) return MembershipChange::chat_unavailable;
    // Under the lock: an ownership handed over by a concurrent leave is seen.
    if (locked->optional_int64("owner_id") == user) return MembershipChange::owner;
    if (tx.execute(sql::kRemoveMember, chat, user).affected_rows() == 0) {
      return MembershipChange::unchanged;
    }
    tx.execute(sql::kTouchChat, chat);
    return MembershipChange::changed;
  });
}

std::vector<Member> ChatStore::members(ChatId chat) {
  std::vector<Member> result;
  for (const Row row : connection_.execute(sql::kListMembers, chat)) {
    result.push_back(detail::read_member(row));
  }
  return result;
}

}  // namespace chat::storage
