// Chats as lists: a member's own view (chat list, sync's listed and unlisted
// chats) and an operator's summaries and member pages.
#include "chat/storage/chats.hpp"

#include "record_readers.hpp"
#include "sql/admin_sql.hpp"
#include "sql/requests_sql.hpp"

namespace chat::storage {
namespace {

void check_limit(int limit, const char* what) {
  if (limit < 0) throw DbError(DbErrc::invalid_input, std::string(what) + ": limit must not be negative");
}

UserChat read_user_chat(const Row& row) {
  UserChat chat;
  chat.chat = detail::read_chat(row);
  chat.role = parse_member_role(row.text("role")).value_or(MemberRole::member);
  chat.delivered_seq = row.int64("delivered_seq");
  chat.read_seq = row.int64("read_seq");
  chat.peer_id = row.optional_int64("peer_id");
  chat.unread_count = row.int64("unread");
  chat.muted_until_ms = row.optional_int64("muted_until_ms");
  return chat;
}

std::vector<UserChat> read_user_chats(const Rows& rows) { return detail::read_rows(rows, read_user_chat); }

ChatSummary read_chat_summary(const Row& row) { return ChatSummary{detail::read_chat(row), row.int64("member_count")}; }

std::vector<ChatSummary> read_chat_summaries(const Rows& rows) { return detail::read_rows(rows, read_chat_summary); }

}  // namespace

// ---- as a member sees them -------------------------------------------------------

std::vector<UserChat> ChatStore::user_chats(UserId user, ChatId after_chat, int limit) {
  check_limit(limit, "user_chats");
  return read_user_chats(connection_.execute(sql::kUserChats, user, after_chat, limit));
}

std::vector<UserChat> ChatStore::user_chats_not_listed(UserId user, std::span<const ChatId> listed, int limit) {
  check_limit(limit, "user_chats_not_listed");
  return read_user_chats(connection_.execute(sql::kUserChatsNotListed, user, Param::int64_array(listed), limit));
}

std::vector<ListedChatState> ChatStore::listed_chat_states(UserId user, std::span<const ChatId> chats) {
  std::vector<ListedChatState> states;
  states.reserve(chats.size());
  for (const Row row : connection_.execute(sql::kListedChatStates, user, Param::int64_array(chats))) {
    ListedChatState state;
    state.chat_id = row.int64("listed_id");
    if (row.boolean("chat_exists")) state.chat = detail::read_chat(row);
    state.member = row.boolean("member");
    states.push_back(std::move(state));
  }
  return states;
}

// ---- as an operator sees them ----------------------------------------------------

std::optional<ChatSummary> ChatStore::summary(ChatId id) {
  const auto row = connection_.execute(sql::kAdminFindChat, id).at_most_one();
  if (!row) return std::nullopt;
  return read_chat_summary(*row);
}

std::vector<ChatSummary> ChatStore::list(ChatId after_id, int limit, std::optional<ChatKind> kind) {
  check_limit(limit, "chats.list");
  std::optional<std::string_view> kind_name;
  if (kind) kind_name = to_string(*kind);
  return read_chat_summaries(connection_.execute(sql::kAdminListChats, after_id, kind_name, limit));
}

std::vector<ChatSummary> ChatStore::list_of_user(UserId user, ChatId after_id, int limit) {
  check_limit(limit, "chats.list_of_user");
  return read_chat_summaries(connection_.execute(sql::kAdminUserChats, user, after_id, limit));
}

std::vector<MemberProfile> ChatStore::member_page(ChatId chat, UserId after_user, int limit) {
  check_limit(limit, "chats.member_page");
  std::vector<MemberProfile> members;
  for (const Row row : connection_.execute(sql::kAdminMembersPage, chat, after_user, limit)) {
    members.push_back(MemberProfile{detail::read_member(row), row.text("username"), row.text("display_name")});
  }
  return members;
}

}  // namespace chat::storage
