#include "chat/bridge/request_handler.hpp"

#include "chat/bridge/request_records.hpp"
#include "chat/protocol/push.hpp"

#include <algorithm>
#include <type_traits>

namespace chat::bridge {
namespace {

using nlohmann::json;
namespace limits = request_limits;
using storage::GroupChange;
using storage::GroupChangeStatus;

// A refusal travels as an exception from where it is decided to the one
// place that answers it.
struct Refusal {
  RequestError error;
};

[[noreturn]] void refuse(RequestErrorCode code, std::string message) { throw Refusal{{code, std::move(message)}}; }

std::string id_list_text(const std::vector<Id>& ids) {
  std::string text;
  for (const Id id : ids) text += (text.empty() ? "" : ", ") + std::to_string(id);
  return text;
}

// Room left in an answer; the envelope ({"id":…,"ok":true,"result":…}) and
// the result's own fields fit in the reserve.
class ByteBudget {
 public:
  ByteBudget() = default;
  // False (and nothing taken) when `bytes` more do not fit.
  bool take(std::size_t bytes) {
    if (used_ + bytes + 1 > kRoom) return false;
    used_ += bytes + 1;
    return true;
  }

 private:
  static constexpr std::size_t kRoom = limits::kMaxResponseBytes - 2048;
  std::size_t used_ = 0;
};

void refuse_change(const GroupChange& change) {
  switch (change.status) {
    case GroupChangeStatus::ok:
      return;
    case GroupChangeStatus::chat_not_found:
      refuse(RequestErrorCode::not_found, "no such chat");
    case GroupChangeStatus::chat_deleted:
      refuse(RequestErrorCode::not_found, "the chat was deleted");
    case GroupChangeStatus::not_member:
      refuse(RequestErrorCode::forbidden, "not a member of this chat");
    case GroupChangeStatus::direct_chat:
      refuse(RequestErrorCode::conflict, "a direct chat keeps its two members and cannot be deleted");
    case GroupChangeStatus::not_owner:
      refuse(RequestErrorCode::forbidden, "only the owner may do this (a member may remove itself)");
    case GroupChangeStatus::user_not_found:
      refuse(RequestErrorCode::not_found, "no such user: " + id_list_text(change.missing_users));
    case GroupChangeStatus::too_many_members:
      refuse(RequestErrorCode::conflict,
             "a group has at most " + std::to_string(limits::kMaxGroupMembers) + " members");
  }
  refuse(RequestErrorCode::internal, "unexpected membership outcome");
}

// The chat as `caller` may see it: it exists, is not deleted, and the caller is a member.
storage::Chat member_chat(RequestData& db, Id caller, Id chat_id) {
  const std::vector<storage::ChatId> one{chat_id};
  const auto states = db.listed_chat_states(caller, one);
  const storage::ListedChatState& state = states.at(0);
  if (!state.chat) refuse(RequestErrorCode::not_found, "no such chat");
  if (state.chat->deleted()) refuse(RequestErrorCode::not_found, "the chat was deleted");
  if (!state.member) refuse(RequestErrorCode::forbidden, "not a member of this chat");
  return *state.chat;
}

void require_live_users(RequestData& db, const std::vector<Id>& users) {
  const auto live = db.live_users(users);
  if (live.size() == users.size()) return;
  std::vector<Id> missing;
  std::set_difference(users.begin(), users.end(), live.begin(), live.end(), std::back_inserter(missing));
  refuse(RequestErrorCode::not_found, "no such user: " + id_list_text(missing));
}

// Blocking (docs/protocol.md, "Blocking"): the broker refuses a blocked
// user's direct messages, typing and receipts from its own copy of the
// blocks; the bridge refuses the requests that would bring the blocked user
// to its blocker: a direct chat, or a group it adds the blocker to.
void refuse_if_blocked(RequestData& db, Id caller, const std::vector<Id>& users, std::string_view what) {
  const auto blockers = db.blocking(caller, users);
  if (!blockers.empty()) refuse(RequestErrorCode::forbidden, std::string(what) + id_list_text(blockers));
}

void add_events(RequestOutcome& out, const std::vector<Id>& users, std::string_view ev, const json& chat) {
  if (users.empty()) return;
  const std::string payload = chat_event(ev, chat).dump();
  for (const Id uid : users) out.events.push_back({event_topic(uid), payload});
}

std::vector<Id> member_ids(const std::vector<storage::Member>& members) {
  std::vector<Id> ids;
  ids.reserve(members.size());
  for (const auto& m : members) ids.push_back(m.user_id);
  return ids;  // members come by user id
}

std::vector<Id> minus(const std::vector<Id>& all, const std::vector<Id>& some) {
  std::vector<Id> rest;
  std::set_difference(all.begin(), all.end(), some.begin(), some.end(), std::back_inserter(rest));
  return rest;
}

json dm_open(const DmOpenArgs& args, Id caller, RequestData& db) {
  if (args.user == caller) refuse(RequestErrorCode::bad_request, "a direct chat is with another user");
  require_live_users(db, {args.user});
  refuse_if_blocked(db, caller, {args.user}, "this user does not accept a direct chat with you: ");
  const ChatWithMembers opened = db.open_direct(caller, args.user);
  return json{{"chat", chat_record(opened.chat, opened.members)}};
}

json chat_create(const ChatCreateArgs& args, Id caller, RequestData& db, RequestOutcome& out) {
  const std::vector<Id> others = minus(args.members, {caller});
  require_live_users(db, others);
  refuse_if_blocked(db, caller, others, "these users cannot be added to a group by you: ");
  const auto [chat, members] = db.create_group(caller, args.title, others);
  const json record = chat_record(chat, members);
  add_events(out, member_ids(members), kChatAdded, record);
  return json{{"chat", record}};
}

json chat_delete(const ChatArgs& args, Id caller, RequestData& db, RequestOutcome& out) {
  const GroupChange change = db.delete_group(args.chat, caller);
  refuse_change(change);
  const json record = chat_record(change.chat);
  add_events(out, change.members_before, kChatDeleted, record);
  return json{{"chat", record}};
}

json chat_add(const ChatUsersArgs& args, Id caller, RequestData& db, RequestOutcome& out) {
  refuse_if_blocked(db, caller, args.users, "these users cannot be added to a group by you: ");
  const GroupChange change = db.add_group_members(args.chat, caller, args.users);
  refuse_change(change);
  const json record = chat_record(change.chat, change.members);
  if (!change.added.empty()) {
    add_events(out, change.added, kChatAdded, record);
    add_events(out, minus(member_ids(change.members), change.added), kChatUpdated, record);
  }
  return json{{"chat", record}, {"added", change.added}};
}

json chat_remove(const ChatUsersArgs& args, Id caller, RequestData& db, RequestOutcome& out) {
  const GroupChange change = db.remove_group_members(args.chat, caller, args.users);
  refuse_change(change);
  const json full = chat_record(change.chat, change.members);
  const json bare = chat_record(change.chat);
  add_events(out, change.removed, kChatRemoved, bare);
  if (!change.removed.empty() && !change.deleted) add_events(out, member_ids(change.members), kChatUpdated, full);
  // A caller that left sees the chat as the other removed members do.
  const bool caller_left = std::binary_search(change.removed.begin(), change.removed.end(), caller);
  return json{{"chat", caller_left ? bare : full}, {"removed", change.removed}};
}

json chat_list(const ChatListArgs& args, Id caller, RequestData& db) {
  const auto chats = db.user_chats(caller, args.after, limits::kChatListPage + 1);
  ByteBudget budget;
  json list = json::array();
  bool more = false;
  for (const auto& chat : chats) {
    json record = user_chat_record(chat);
    if (list.size() == static_cast<std::size_t>(limits::kChatListPage) || !budget.take(json_size(record))) {
      more = true;
      break;
    }
    list.push_back(std::move(record));
  }
  return json{{"chats", std::move(list)}, {"more", more}};
}

json chat_info(const ChatArgs& args, Id caller, RequestData& db) {
  const storage::Chat chat = member_chat(db, caller, args.chat);
  const auto members = db.members(chat.id);
  return json{{"chat", chat_record(chat, members)}};
}

// Messages nearest the anchor first (newest first for "before" pages, oldest
// first for "after"), cut at the limit and the byte budget, answered in seq order.
json history_page(std::vector<storage::StoredMessage> nearest_first, int limit, bool newest_first) {
  ByteBudget budget;
  json messages = json::array();
  bool more = nearest_first.size() > static_cast<std::size_t>(limit);
  for (std::size_t i = 0; i < nearest_first.size() && i < static_cast<std::size_t>(limit); ++i) {
    json record = message_record(nearest_first[i]);
    if (!budget.take(json_size(record))) {
      more = true;
      break;
    }
    messages.push_back(std::move(record));
  }
  if (newest_first) std::reverse(messages.begin(), messages.end());
  return json{{"messages", std::move(messages)}, {"more", more}};
}

json history(const HistoryArgs& args, Id caller, RequestData& db) {
  const storage::Chat chat = member_chat(db, caller, args.chat);
  const int fetch = args.limit + 1;  // one more tells whether there is more
  using Anchor = HistoryArgs::Anchor;
  switch (args.anchor) {
    case Anchor::after_seq:
      return history_page(db.history(chat.id, storage::HistoryAnchor::after(args.value), fetch), args.limit, false);
    case Anchor::before_ts:
      return history_page(db.history(chat.id, storage::HistoryAnchor::before_time(args.value), fetch), args.limit,
                          true);
    case Anchor::before_seq:
    case Anchor::newest: {
      const storage::Seq before = args.anchor == Anchor::newest ? chat.last_seq + 1 : args.value;
      return history_page(db.history(chat.id, storage::HistoryAnchor::before(before), fetch), args.limit, true);
    }
  }
  refuse(RequestErrorCode::internal, "unknown history anchor");
}

// A chat's entry in a sync answer; `messages` filled in later.
json sync_chat_entry(storage::ChatId chat, bool more) {
  return json{{"chat", chat}, {"messages", json::array()}, {"more", more}};
}

// What the client's cursors say against what the database says: listed chats
// it left or that were deleted, and chats it is in but did not list.
//
// Everything in the answer is charged to one budget, in this order, so that
// the answer always fits under the broker's limit and each round moves on:
// the entry of every chat behind its cursor (so each can at least say "more"),
// then the removed/deleted events, then the added ones, then messages. What
// does not fit is left for the next round, and the top-level "more" says so.
json sync(const SyncArgs& args, Id caller, RequestData& db) {
  std::vector<storage::ChatId> listed;
  for (const auto& cursor : args.cursors) listed.push_back(cursor.chat);
  const auto states = db.listed_chat_states(caller, listed);
  const auto added = db.user_chats_not_listed(caller, listed, limits::kSyncMembershipEvents + 1);

  ByteBudget budget;
  bool more = false;
  std::vector<storage::ChatCursor> behind;  // live chats with messages after the cursor
  std::vector<storage::Seq> last_seqs;
  std::vector<json> left;  // removed/deleted events
  for (std::size_t i = 0; i < states.size(); ++i) {
    const auto& state = states[i];
    if (state.live_member()) {
      if (state.chat->last_seq <= args.cursors[i].seq) continue;
      // An entry says "more": false at its longest.
      if (!budget.take(json_size(sync_chat_entry(state.chat_id, false)))) {
        more = true;  // left out: its cursor stays, the next round has it
        continue;
      }
      behind.push_back({state.chat_id, args.cursors[i].seq});
      last_seqs.push_back(state.chat->last_seq);
      continue;
    }
    // A member of a deleted chat hears "deleted"; anyone else "removed" (also
    // for a chat that never existed or that it never belonged to: nothing is
    // told about chats it is not in).
    const bool deleted = state.chat && state.member && state.chat->deleted();
    json record = deleted ? chat_record(*state.chat) : json{{"id", state.chat_id}};
    left.push_back(chat_event(deleted ? kChatDeleted : kChatRemoved, std::move(record)));
  }
  json membership = json::array();
  for (json& event : left) {
    if (!budget.take(json_size(event))) {
      more = true;  // the client keeps listing that chat, and hears of it next round
      continue;
    }
    membership.push_back(std::move(event));
  }
  for (std::size_t i = 0; i < added.size(); ++i) {
    json event = chat_event(kChatAdded, user_chat_record(added[i]));
    if (i == static_cast<std::size_t>(limits::kSyncMembershipEvents) || !budget.take(json_size(event))) {
      more = true;
      break;
    }
    membership.push_back(std::move(event));
  }

  // Messages chat by chat (in chat id order) while the answer has room; the
  // chats' entries are paid for already.
  json chats = json::array();
  int total = 0;
  bool full = false;
  constexpr std::size_t kChatsPerQuery = 50;
  for (std::size_t next = 0; next < behind.size(); next += kChatsPerQuery) {
    const std::size_t end = std::min(behind.size(), next + kChatsPerQuery);
    const int per_chat = std::min(limits::kSyncPerChat, limits::kSyncTotal - total);
    full = full || per_chat <= 0;
    std::vector<storage::StoredMessage> rows;
    if (!full) {
      const std::vector<storage::ChatCursor> slice(behind.begin() + static_cast<std::ptrdiff_t>(next),
                                                   behind.begin() + static_cast<std::ptrdiff_t>(end));
      rows = db.history(slice, per_chat);
    }
    std::size_t row = 0;
    for (std::size_t c = next; c < end; ++c) {
      json messages = json::array();
      storage::Seq reached = behind[c].after_seq;
      for (; row < rows.size() && rows[row].chat_id == behind[c].chat_id; ++row) {
        if (full || total >= limits::kSyncTotal) {
          full = true;
          continue;
        }
        json record = message_record(rows[row]);
        if (!budget.take(json_size(record))) {
          full = true;
          continue;
        }
        messages.push_back(std::move(record));
        reached = rows[row].seq;
        ++total;
      }
      const bool chat_more = reached < last_seqs[c];
      more = more || chat_more;
      if (messages.empty() && !chat_more) continue;
      json entry = sync_chat_entry(behind[c].chat_id, chat_more);
      entry["messages"] = std::move(messages);
      chats.push_back(std::move(entry));
    }
  }
  return json{{"chats", std::move(chats)}, {"membership", std::move(membership)}, {"more", more}};
}

json presence_get(const PresenceGetArgs& args, Id caller, RequestData& db) {
  const auto presence = db.presence_of(args.users);
  if (presence.size() != args.users.size()) {
    std::vector<Id> found;
    found.reserve(presence.size());
    for (const auto& p : presence) found.push_back(p.user_id);
    refuse(RequestErrorCode::not_found, "no such user: " + id_list_text(minus(args.users, found)));
  }
  // A blocker's presence is hidden from whom it blocks: it reads as a user
  // who was never online.
  const auto blockers = db.blocking(caller, args.users);
  json users = json::array();
  for (const auto& p : presence) {
    if (std::binary_search(blockers.begin(), blockers.end(), p.user_id)) {
      users.push_back(presence_record(storage::UserPresence{p.user_id, false, std::nullopt}));
    } else {
      users.push_back(presence_record(p));
    }
  }
  return json{{"users", std::move(users)}};
}

// user.block and user.unblock: another live account; both are idempotent.
void check_block_target(const UserArgs& args, Id caller, RequestData& db) {
  if (args.user == caller) refuse(RequestErrorCode::bad_request, "a user cannot block or unblock itself");
  require_live_users(db, {args.user});
}

json user_block(const UserArgs& args, Id caller, RequestData& db) {
  check_block_target(args, caller, db);
  if (db.block_user(caller, args.user) == storage::BlockOutcome::limit_reached) {
    refuse(RequestErrorCode::conflict,
           "a user blocks at most " + std::to_string(limits::kMaxBlockedUsers) + " users; unblock one first");
  }
  return json::object();
}

json user_unblock(const UserArgs& args, Id caller, RequestData& db) {
  check_block_target(args, caller, db);
  db.unblock_user(caller, args.user);
  return json::object();
}

json user_blocked(Id caller, RequestData& db) { return json{{"users", db.blocked_by(caller)}}; }

// Hits newest first; one more than the limit is asked for, to tell `more`.
// The answer fits: 50 hits with snippets of at most 182 characters (4 bytes
// each at worst, 6 escaped) stay far below kMaxResponseBytes.
json search(const SearchArgs& args, Id caller, RequestData& db) {
  namespace search = protocol::search;
  static_assert(search::kMaxLimit * (2 * search::kSnippetContextChars + search::kMaxQueryChars + 2) * 6 + 20'000 <
                limits::kMaxResponseBytes);
  if (args.chat) member_chat(db, caller, *args.chat);
  storage::SearchQuery query;
  query.user = caller;
  query.text = args.query;
  query.chat = args.chat;
  query.before = args.before;
  query.limit = args.limit + 1;
  query.snippet_context_chars = static_cast<int>(search::kSnippetContextChars);
  std::vector<storage::SearchHit> found = db.search(query);
  const bool more = found.size() > static_cast<std::size_t>(args.limit);
  if (more) found.resize(static_cast<std::size_t>(args.limit));
  json hits = json::array();
  for (const storage::SearchHit& hit : found) {
    hits.push_back(json{{search::kHitChat, hit.chat_id},
                        {search::kHitSeq, hit.seq},
                        {search::kHitFrom, hit.sender_id},
                        {search::kHitTs, hit.created_at_ms},
                        {search::kHitSnippet, hit.snippet}});
  }
  return json{{search::kHits, std::move(hits)},
              {search::kMore, more},
              {search::kNext, more ? json(format_search_cursor(found.back().cursor)) : json(nullptr)}};
}

json device_register(const DeviceRegisterArgs& args, Id caller, RequestData& db) {
  const storage::PushRegistration registration{caller, args.device, args.app_id, args.kind, args.pushkey, args.data};
  const auto result = db.register_push_device(registration, protocol::push::kMaxPushDevicesPerUser);
  switch (result.status) {
    case storage::PushRegistrationStatus::ok:
      break;
    case storage::PushRegistrationStatus::user_not_found:
      refuse(RequestErrorCode::not_found, "no such user");
    case storage::PushRegistrationStatus::too_many_devices:
      refuse(RequestErrorCode::conflict, "at most " + std::to_string(protocol::push::kMaxPushDevicesPerUser) +
                                             " push devices per user; unregister one first");
  }
  // pushkey_ts in seconds, as the push gateway gets it.
  return json{{"device", args.device}, {"pushkey_ts", result.pushkey_ts_ms / 1000}};
}

json device_unregister(const DeviceUnregisterArgs& args, Id caller, RequestData& db) {
  return json{{"device", args.device}, {"removed", db.unregister_push_device(caller, args.device)}};
}

json chat_mute(const ChatMuteArgs& args, Id caller, RequestData& db, RequestOutcome& out) {
  const std::optional<storage::TimeMs> until =
      args.until == 0 ? std::nullopt : std::optional<storage::TimeMs>(args.until);
  switch (db.mute_chat(caller, args.chat, until)) {
    case storage::MuteStatus::ok:
      break;
    case storage::MuteStatus::chat_not_found:
      refuse(RequestErrorCode::not_found, "no such chat");
    case storage::MuteStatus::chat_deleted:
      refuse(RequestErrorCode::not_found, "the chat was deleted");
    case storage::MuteStatus::not_member:
      refuse(RequestErrorCode::forbidden, "not a member of this chat");
  }
  // The mute is the user's: its other devices read u/{caller}/ev and follow
  // it at once, with no chat.list of their own.
  out.events.push_back({event_topic(caller), chat_muted_event(args.chat, args.until).dump()});
  return json{{"chat", args.chat}, {"until", args.until}};
}

json serve(const Request& request, Id caller, RequestData& db, RequestOutcome& out) {
  return std::visit(
      [&](const auto& args) -> json {
        using Args = std::decay_t<decltype(args)>;
        if constexpr (std::is_same_v<Args, DmOpenArgs>) {
          return dm_open(args, caller, db);
        } else if constexpr (std::is_same_v<Args, ChatCreateArgs>) {
          return chat_create(args, caller, db, out);
        } else if constexpr (std::is_same_v<Args, ChatArgs>) {
          return request.op == Op::chat_delete ? chat_delete(args, caller, db, out) : chat_info(args, caller, db);
        } else if constexpr (std::is_same_v<Args, ChatUsersArgs>) {
          return request.op == Op::chat_add ? chat_add(args, caller, db, out) : chat_remove(args, caller, db, out);
        } else if constexpr (std::is_same_v<Args, ChatListArgs>) {
          return chat_list(args, caller, db);
        } else if constexpr (std::is_same_v<Args, HistoryArgs>) {
          return history(args, caller, db);
        } else if constexpr (std::is_same_v<Args, SyncArgs>) {
          return sync(args, caller, db);
        } else if constexpr (std::is_same_v<Args, PresenceGetArgs>) {
          return presence_get(args, caller, db);
        } else if constexpr (std::is_same_v<Args, UserArgs>) {
          return request.op == Op::user_block ? user_block(args, caller, db) : user_unblock(args, caller, db);
        } else if constexpr (std::is_same_v<Args, SearchArgs>) {
          return search(args, caller, db);
        } else if constexpr (std::is_same_v<Args, DeviceRegisterArgs>) {
          return device_register(args, caller, db);
        } else if constexpr (std::is_same_v<Args, DeviceUnregisterArgs>) {
          return device_unregister(args, caller, db);
        } else if constexpr (std::is_same_v<Args, ChatMuteArgs>) {
          return chat_mute(args, caller, db, out);
        } else {
          static_assert(std::is_same_v<Args, NoArgs>);
          return user_blocked(caller, db);
        }
      },
      request.args);
}

}  // namespace

RequestOutcome handle_request(const Request& request, Id caller, RequestData& db) {
  RequestOutcome out;
  try {
    const json result = serve(request, caller, db, out);
    out.response = ok_response(request.id, result.dump(-1, ' ', false, json::error_handler_t::replace));
  } catch (const Refusal& refusal) {
    out = RequestOutcome{error_response(request.id, refusal.error), false, {}};
  }
  return out;
}

}  // namespace chat::bridge
