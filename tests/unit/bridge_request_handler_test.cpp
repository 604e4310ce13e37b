// The request handler's logic (chat/bridge/request_handler.hpp) against an
// in-memory RequestData: who may do what, the events a change causes, which
// history anchor each request asks for, and how sync reports what changed.
// The database side of the same calls is tested in storage_* and
// bridge_requests (integration).
#include "chat/bridge/request_handler.hpp"
#include "chat/protocol/push.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace chat::bridge {
namespace {

using nlohmann::json;
using storage::ChatId;
using storage::UserId;

constexpr UserId kCaller = 1;

storage::Chat group(ChatId id, storage::Seq last_seq = 0) {
  storage::Chat chat;
  chat.id = id;
  chat.kind = storage::ChatKind::group;
  chat.title = "team";
  chat.owner_id = kCaller;
  chat.last_seq = last_seq;
  return chat;
}

storage::Member member(ChatId chat, UserId user) {
  storage::Member m;
  m.chat_id = chat;
  m.user_id = user;
  return m;
}

storage::StoredMessage message(ChatId chat, storage::Seq seq) {
  storage::StoredMessage m;
  m.chat_id = chat;
  m.seq = seq;
  m.sender_id = 2;
  m.client_msg_id = "m" + std::to_string(seq);
  m.body = R"({"text":"hi"})";
  return m;
}

// The database as the caller sees it, and a record of what was asked.
class FakeData final : public RequestData {
 public:
  std::set<UserId> live;                             // live accounts
  std::map<ChatId, storage::ListedChatState> chats;  // as kCaller sees them
  std::map<ChatId, std::vector<storage::Member>> members_of;
  std::vector<storage::UserChat> unlisted;       // user_chats_not_listed answers these
  storage::GroupChange change;                   // what the group changes answer
  std::vector<storage::StoredMessage> messages;  // what the history readers answer
  std::vector<storage::UserPresence> presence;
  std::set<std::pair<UserId, UserId>> blocks;  // (blocker, blocked)
  std::size_t block_limit = 1000;

  int calls = 0;
  std::optional<storage::HistoryAnchor> asked_anchor;
  int asked_limit = -1;
  std::vector<storage::ChatCursor> asked_cursors;

  void add_chat(const storage::Chat& chat, bool is_member) {
    chats[chat.id] = storage::ListedChatState{chat.id, chat, is_member};
  }

  std::vector<UserId> live_users(std::span<const UserId> users) override {
    ++calls;
    std::vector<UserId> out;
    for (const UserId u : std::set<UserId>(users.begin(), users.end())) {
      if (live.count(u) != 0) out.push_back(u);
    }
    return out;
  }
  std::vector<storage::ListedChatState> listed_chat_states(UserId, std::span<const ChatId> ids) override {
    ++calls;
    std::vector<storage::ListedChatState> out;
    for (const ChatId id : ids) {
      const auto found = chats.find(id);
      out.push_back(found != chats.end() ? found->second : storage::ListedChatState{id, std::nullopt, false});
    }
    return out;
  }
  std::vector<storage::UserChat> user_chats(UserId, ChatId, int) override {
    ++calls;
    return {};
  }
  std::vector<storage::UserChat> user_chats_not_listed(UserId, std::span<const ChatId>, int) override {
    ++calls;
    return unlisted;
  }
  std::vector<storage::Member> members(ChatId chat) override {
    ++calls;
    return members_of[chat];
  }
  ChatWithMembers open_direct(UserId a, UserId b) override {
    ++calls;
    storage::Chat chat = group(50);
    chat.kind = storage::ChatKind::direct;
    chat.owner_id.reset();
    chat.title.clear();
    return {chat, {member(50, std::min(a, b)), member(50, std::max(a, b))}};
  }
  ChatWithMembers create_group(UserId owner, std::string_view, std::span<const UserId> others) override {
    ++calls;
    ChatWithMembers created{group(60), {member(60, owner)}};
    for (const UserId u : others) created.members.push_back(member(60, u));
    return created;
  }
  storage::GroupChange add_group_members(ChatId, UserId, std::span<const UserId>) override {
    ++calls;
    return change;
  }
  storage::GroupChange remove_group_members(ChatId, UserId, std::span<const UserId>) override {
    ++calls;
    return change;
  }
  storage::GroupChange delete_group(ChatId, UserId) override {
    ++calls;
    return change;
  }
  std::vector<storage::StoredMessage> history(ChatId, storage::HistoryAnchor anchor, int limit) override {
    ++calls;
    asked_anchor = anchor;
    asked_limit = limit;
    return messages;
  }
  std::vector<storage::StoredMessage> history(std::span<const storage::ChatCursor> cursors, int limit) override {
    ++calls;
    asked_cursors.assign(cursors.begin(), cursors.end());
    asked_limit = limit;
    return messages;
  }
  std::vector<storage::UserPresence> presence_of(std::span<const UserId>) override {
    ++calls;
    return presence;
  }
  storage::BlockOutcome block_user(UserId blocker, UserId blocked) override {
    ++calls;
    if (blocks.count({blocker, blocked}) == 0 && blocked_by(blocker).size() >= block_limit) {
      return storage::BlockOutcome::limit_reached;
    }
    blocks.insert({blocker, blocked});
    return storage::BlockOutcome::blocked;
  }
  bool unblock_user(UserId blocker, UserId blocked) override {
    ++calls;
    return blocks.erase({blocker, blocked}) != 0;
  }
  std::vector<UserId> blocked_by(UserId blocker) override {
    std::vector<UserId> out;
    for (const auto& [by, blocked] : blocks) {
      if (by == blocker) out.push_back(blocked);
    }
    return out;
  }
  std::vector<UserId> blocking(UserId user, std::span<const UserId> users) override {
    std::vector<UserId> out;
    for (const UserId u : std::set<UserId>(users.begin(), users.end())) {
      if (blocks.count({u, user}) != 0) out.push_back(u);
    }
    return out;
  }
  std::vector<storage::SearchHit> search(const storage::SearchQuery& query) override {
    ++calls;
    asked_search = query;
    asked_search_text = std::string(query.text);
    return hits;
  }

  std::vector<storage::SearchHit> hits;  // what search answers
  std::optional<storage::SearchQuery> asked_search;
  std::string asked_search_text;
  storage::PushRegistrationResult register_push_device(const storage::PushRegistration& r, int max_devices) override {
    ++calls;
    registered = r;
    asked_max_devices = max_devices;
    return registration;
  }
  bool unregister_push_device(UserId user, std::string_view device) override {
    ++calls;
    unregistered = {user, std::string(device)};
    return true;
  }
  storage::MuteStatus mute_chat(UserId user, ChatId chat, std::optional<storage::TimeMs> until) override {
    ++calls;
    muted = {user, chat, until};
    return mute_status;
  }

  storage::PushRegistrationResult registration{storage::PushRegistrationStatus::ok, 1763700000999};
  std::optional<storage::PushRegistration> registered;
  int asked_max_devices = 0;
  std::pair<UserId, std::string> unregistered;
  storage::MuteStatus mute_status = storage::MuteStatus::ok;
  std::tuple<UserId, ChatId, std::optional<storage::TimeMs>> muted;
};

// clang-tidy 14 follows the implicit move constructor into nlohmann::json's
// own (noexcept) move constructor and reports any struct with a json member
// whose move is used (a false positive; reproduced with a two-line struct).
struct Answer {  // NOLINT(bugprone-exception-escape)
  json body;
  RequestOutcome outcome;

  bool ok() const { return body.at("ok").get<bool>(); }
  std::string error_code() const { return body.at("error").at("code").get<std::string>(); }
  std::string error_message() const { return body.at("error").at("message").get<std::string>(); }
  const json& result() const { return body.at("result"); }
};

Answer handle(RequestData& data, Op op, RequestArgs args) {
  Answer answer;
  answer.outcome = handle_request(Request{"r1", op, std::move(args)}, kCaller, data);
  answer.body = json::parse(answer.outcome.response);
  EXPECT_EQ(answer.body.at("id"), "r1");
  EXPECT_EQ(answer.ok(), answer.outcome.ok);
  return answer;
}

// (topic, event name) of each event, in order.
std::vector<std::pair<std::string, std::string>> events_of(const RequestOutcome& outcome) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& event : outcome.events) {
    out.emplace_back(event.topic, json::parse(event.payload).at("ev").get<std::string>());
  }
  return out;
}

std::vector<storage::Seq> seqs_of(const json& messages) {
  std::vector<storage::Seq> out;
  for (const auto& m : messages) out.push_back(m.at("seq").get<storage::Seq>());
  return out;
}

TEST(BridgeRequestHandler, OnlyMembersOfALiveChatReadIt) {
  FakeData data;
  storage::Chat deleted = group(2);
  deleted.deleted_at_ms = 1000;
  data.add_chat(group(1), true);
  data.add_chat(deleted, true);
  data.add_chat(group(3), false);
  data.members_of[1] = {member(1, kCaller), member(1, 2)};

  const Answer unknown = handle(data, Op::chat_info, ChatArgs{9});
  EXPECT_EQ(unknown.error_code(), "not_found");
  EXPECT_EQ(handle(data, Op::chat_info, ChatArgs{2}).error_code(), "not_found");
  EXPECT_EQ(handle(data, Op::chat_info, ChatArgs{3}).error_code(), "forbidden");

  const Answer info = handle(data, Op::chat_info, ChatArgs{1});
  ASSERT_TRUE(info.ok()) << info.body;
  EXPECT_EQ(info.result().at("chat").at("id"), 1);
  EXPECT_EQ(info.result().at("chat").at("members").size(), 2u);
  EXPECT_TRUE(info.outcome.events.empty());
}

TEST(BridgeRequestHandler, ADirectChatIsWithAnotherLiveUser) {
  FakeData data;
  data.live = {kCaller, 2};

  EXPECT_EQ(handle(data, Op::dm_open, DmOpenArgs{kCaller}).error_code(), "bad_request");
  EXPECT_EQ(data.calls, 0);  // refused before the database is asked

  const Answer unknown = handle(data, Op::dm_open, DmOpenArgs{7});
  EXPECT_EQ(unknown.error_code(), "not_found");
  EXPECT_EQ(unknown.error_message(), "no such user: 7");

  const Answer opened = handle(data, Op::dm_open, DmOpenArgs{2});
  ASSERT_TRUE(opened.ok()) << opened.body;
  EXPECT_EQ(opened.result().at("chat").at("kind"), "direct");
  EXPECT_EQ(opened.result().at("chat").at("members").size(), 2u);
}

TEST(BridgeRequestHandler, CreatingAGroupTellsEveryMember) {
  FakeData data;
  data.live = {kCaller, 2, 3};

  const Answer created = handle(data, Op::chat_create, ChatCreateArgs{"team", {kCaller, 2, 3}});
  ASSERT_TRUE(created.ok()) << created.body;
  EXPECT_EQ(created.result().at("chat").at("members").size(), 3u);  // the caller once, as owner
  EXPECT_EQ(events_of(created.outcome),
            (std::vector<std::pair<std::string, std::string>>{
                {"u/1/ev", "chat.added"}, {"u/2/ev", "chat.added"}, {"u/3/ev", "chat.added"}}));

  const Answer missing = handle(data, Op::chat_create, ChatCreateArgs{"team", {2, 8, 9}});
  EXPECT_EQ(missing.error_message(), "no such user: 8, 9");
  EXPECT_TRUE(missing.outcome.events.empty());
}

TEST(BridgeRequestHandler, AddingTellsNewcomersAddedAndTheOthersUpdated) {
  FakeData data;
  data.change.chat = group(1);
  data.change.members = {member(1, kCaller), member(1, 2), member(1, 4)};
  data.change.members_before = {kCaller, 2};
  data.change.added = {4};

  const Answer added = handle(data, Op::chat_add, ChatUsersArgs{1, {2, 4}});
  ASSERT_TRUE(added.ok()) << added.body;
  EXPECT_EQ(added.result().at("added"), json::array({4}));
  EXPECT_EQ(events_of(added.outcome),
            (std::vector<std::pair<std::string, std::string>>{
                {"u/4/ev", "chat.added"}, {"u/1/ev", "chat.updated"}, {"u/2/ev", "chat.updated"}}));

  data.change.added.clear();  // all of them were members already: nobody hears of it
  EXPECT_TRUE(handle(data, Op::chat_add, ChatUsersArgs{1, {2}}).outcome.events.empty());
}

TEST(BridgeRequestHandler, EachRefusalOfAChangeHasItsCode) {
  FakeData data;
  const std::vector<std::pair<storage::GroupChangeStatus, std::string>> cases{
      {storage::GroupChangeStatus::chat_not_found, "not_found"},
      {storage::GroupChangeStatus::chat_deleted, "not_found"},
      {storage::GroupChangeStatus::not_member, "forbidden"},
      {storage::GroupChangeStatus::direct_chat, "conflict"},
      {storage::GroupChangeStatus::not_owner, "forbidden"},
      {storage::GroupChangeStatus::user_not_found, "not_found"},
      {storage::GroupChangeStatus::too_many_members, "conflict"},
  };
  for (const auto& [status, code] : cases) {
    data.change.status = status;
    const Answer answer = handle(data, Op::chat_add, ChatUsersArgs{1, {5}});
    EXPECT_EQ(answer.error_code(), code) << static_cast<int>(status);
    EXPECT_TRUE(answer.outcome.events.empty());
  }
  data.change.status = storage::GroupChangeStatus::too_many_members;
  EXPECT_EQ(handle(data, Op::chat_add, ChatUsersArgs{1, {5}}).error_message(), "a group has at most 1000 members");
  data.change.status = storage::GroupChangeStatus::user_not_found;
  data.change.missing_users = {5, 6};
  EXPECT_EQ(handle(data, Op::chat_add, ChatUsersArgs{1, {5, 6}}).error_message(), "no such user: 5, 6");
}

TEST(BridgeRequestHandler, AMemberThatLeftSeesTheChatWithoutItsMembers) {
  FakeData data;
  data.change.chat = group(1);
  data.change.chat.owner_id = 2;
  data.change.members = {member(1, 2)};
  data.change.members_before = {kCaller, 2};
  data.change.removed = {kCaller};

  const Answer left = handle(data, Op::chat_remove, ChatUsersArgs{1, {kCaller}});
  ASSERT_TRUE(left.ok()) << left.body;
  EXPECT_FALSE(left.result().at("chat").contains("members"));
  EXPECT_EQ(events_of(left.outcome),
            (std::vector<std::pair<std::string, std::string>>{{"u/1/ev", "chat.removed"}, {"u/2/ev", "chat.updated"}}));
}

TEST(BridgeRequestHandler, DeletingTellsTheMembersBefore) {
  FakeData data;
  data.change.chat = group(1);
  data.change.chat.deleted_at_ms = 5;
  data.change.members_before = {kCaller, 2};
  data.change.deleted = true;

  const Answer deleted = handle(data, Op::chat_delete, ChatArgs{1});
  ASSERT_TRUE(deleted.ok()) << deleted.body;
  EXPECT_EQ(events_of(deleted.outcome),
            (std::vector<std::pair<std::string, std::string>>{{"u/1/ev", "chat.deleted"}, {"u/2/ev", "chat.deleted"}}));
}

TEST(BridgeRequestHandler, HistoryAsksFromTheRightAnchorAndAnswersInSeqOrder) {
  FakeData data;
  data.add_chat(group(1, 10), true);
  data.messages = {message(1, 10), message(1, 9), message(1, 8)};  // newest first, one more than asked

  HistoryArgs newest{1, HistoryArgs::Anchor::newest, 0, 2};
  const Answer page = handle(data, Op::history, newest);
  ASSERT_TRUE(page.ok()) << page.body;
  ASSERT_TRUE(data.asked_anchor);
  EXPECT_EQ(data.asked_anchor->kind, storage::HistoryAnchor::Kind::before_seq);
  EXPECT_EQ(data.asked_anchor->value, 11);  // after the chat's last message
  EXPECT_EQ(data.asked_limit, 3);           // one more tells whether there is more
  EXPECT_EQ(seqs_of(page.result().at("messages")), (std::vector<storage::Seq>{9, 10}));
  EXPECT_TRUE(page.result().at("more"));

  handle(data, Op::history, HistoryArgs{1, HistoryArgs::Anchor::before_seq, 5, 2});
  EXPECT_EQ(data.asked_anchor->kind, storage::HistoryAnchor::Kind::before_seq);
  EXPECT_EQ(data.asked_anchor->value, 5);

  handle(data, Op::history, HistoryArgs{1, HistoryArgs::Anchor::before_ts, 123456, 2});
  EXPECT_EQ(data.asked_anchor->kind, storage::HistoryAnchor::Kind::before_time);
  EXPECT_EQ(data.asked_anchor->value, 123456);

  data.messages = {message(1, 4), message(1, 5)};  // oldest first, all there is
  const Answer after = handle(data, Op::history, HistoryArgs{1, HistoryArgs::Anchor::after_seq, 3, 2});
  EXPECT_EQ(data.asked_anchor->kind, storage::HistoryAnchor::Kind::after_seq);
  EXPECT_EQ(data.asked_anchor->value, 3);
  EXPECT_EQ(seqs_of(after.result().at("messages")), (std::vector<storage::Seq>{4, 5}));
  EXPECT_FALSE(after.result().at("more"));
}

TEST(BridgeRequestHandler, HistoryOfAChatTheCallerIsNotInIsRefusedBeforeReading) {
  FakeData data;
  data.add_chat(group(1, 10), false);
  EXPECT_EQ(handle(data, Op::history, HistoryArgs{1, HistoryArgs::Anchor::newest, 0, 2}).error_code(), "forbidden");
  EXPECT_FALSE(data.asked_anchor);
}

TEST(BridgeRequestHandler, SyncReportsLeftChatsNewChatsAndMissedMessages) {
  FakeData data;
  storage::Chat deleted = group(2, 3);
  deleted.deleted_at_ms = 1000;
  data.add_chat(group(1, 5), true);   // behind: the client has up to 3
  data.add_chat(deleted, true);       // deleted while the client was away
  data.add_chat(group(3, 1), false);  // the client was removed
  data.add_chat(group(4, 2), true);   // up to date
  storage::UserChat joined;
  joined.chat = group(7);
  data.unlisted = {joined};
  data.messages = {message(1, 4), message(1, 5)};

  const Answer sync = handle(data, Op::sync, SyncArgs{{{1, 3}, {2, 3}, {3, 1}, {4, 2}}});
  ASSERT_TRUE(sync.ok()) << sync.body;
  ASSERT_EQ(data.asked_cursors.size(), 1u);  // only the chat behind its cursor is read
  EXPECT_EQ(data.asked_cursors[0].chat_id, 1);
  EXPECT_EQ(data.asked_cursors[0].after_seq, 3);

  const json& chats = sync.result().at("chats");
  ASSERT_EQ(chats.size(), 1u);
  EXPECT_EQ(chats[0].at("chat"), 1);
  EXPECT_EQ(seqs_of(chats[0].at("messages")), (std::vector<storage::Seq>{4, 5}));
  EXPECT_FALSE(chats[0].at("more"));

  std::vector<std::pair<std::string, ChatId>> membership;
  for (const auto& event : sync.result().at("membership")) {
    membership.emplace_back(event.at("ev").get<std::string>(), event.at("chat").at("id").get<ChatId>());
  }
  EXPECT_EQ(membership,
            (std::vector<std::pair<std::string, ChatId>>{{"chat.deleted", 2}, {"chat.removed", 3}, {"chat.added", 7}}));
  EXPECT_FALSE(sync.result().at("more"));
}

TEST(BridgeRequestHandler, PresenceOfAnUnknownUserIsNotFound) {
  FakeData data;
  data.presence = {storage::UserPresence{2, true, std::nullopt}};

  const Answer missing = handle(data, Op::presence_get, PresenceGetArgs{{2, 5}});
  EXPECT_EQ(missing.error_code(), "not_found");
  EXPECT_EQ(missing.error_message(), "no such user: 5");

  const Answer found = handle(data, Op::presence_get, PresenceGetArgs{{2}});
  ASSERT_TRUE(found.ok()) << found.body;
  EXPECT_EQ(found.result().at("users").at(0).at("online"), true);
}

}  // namespace
}  // namespace chat::bridge

namespace chat::bridge {
namespace {

// ---- blocking (issue #15) ---------------------------------------------------------------

TEST(BridgeRequestHandler, BlockingIsIdempotentAndListed) {
  FakeData data;
  data.live = {kCaller, 2, 3};
  EXPECT_TRUE(handle(data, Op::user_block, UserArgs{3}).ok());
  EXPECT_TRUE(handle(data, Op::user_block, UserArgs{2}).ok());
  EXPECT_TRUE(handle(data, Op::user_block, UserArgs{2}).ok()) << "blocking twice is one block";
  const Answer listed = handle(data, Op::user_blocked, NoArgs{});
  ASSERT_TRUE(listed.ok()) << listed.body;
  EXPECT_EQ(listed.result(), (json{{"users", {2, 3}}}));
  EXPECT_TRUE(handle(data, Op::user_unblock, UserArgs{2}).ok());
  EXPECT_TRUE(handle(data, Op::user_unblock, UserArgs{2}).ok()) << "unblocking twice is harmless";
  EXPECT_EQ(handle(data, Op::user_blocked, NoArgs{}).result(), (json{{"users", {3}}}));
}

TEST(BridgeRequestHandler, BlockingRefusesOneselfUnknownUsersAndTooMany) {
  FakeData data;
  data.live = {kCaller, 2, 3};
  EXPECT_EQ(handle(data, Op::user_block, UserArgs{kCaller}).error_code(), "bad_request");
  EXPECT_EQ(handle(data, Op::user_unblock, UserArgs{kCaller}).error_code(), "bad_request");
  const Answer unknown = handle(data, Op::user_block, UserArgs{99});
  EXPECT_EQ(unknown.error_code(), "not_found");
  EXPECT_NE(unknown.error_message().find("99"), std::string::npos);
  EXPECT_EQ(handle(data, Op::user_unblock, UserArgs{99}).error_code(), "not_found");
  data.block_limit = 1;
  EXPECT_TRUE(handle(data, Op::user_block, UserArgs{2}).ok());
  EXPECT_EQ(handle(data, Op::user_block, UserArgs{3}).error_code(), "conflict");
  EXPECT_TRUE(handle(data, Op::user_block, UserArgs{2}).ok()) << "a block already there is not a new one";
  EXPECT_TRUE(data.blocks.count({kCaller, 3}) == 0) << "a refused request changes nothing";
}

TEST(BridgeRequestHandler, ABlockedUserCannotOpenADirectChatWithItsBlockerNorAddIt) {
  FakeData data;
  data.live = {kCaller, 2, 3};
  data.blocks = {{2, kCaller}};  // user 2 blocks the caller
  const Answer dm = handle(data, Op::dm_open, DmOpenArgs{2});
  EXPECT_EQ(dm.error_code(), "forbidden");
  const Answer create = handle(data, Op::chat_create, ChatCreateArgs{"t", {2, 3}});
  EXPECT_EQ(create.error_code(), "forbidden");
  EXPECT_NE(create.error_message().find('2'), std::string::npos) << create.error_message();
  EXPECT_TRUE(create.outcome.events.empty());
  data.change.status = storage::GroupChangeStatus::ok;
  EXPECT_EQ(handle(data, Op::chat_add, ChatUsersArgs{1, {2}}).error_code(), "forbidden");
  // Others, and the blocker itself, are not held back.
  EXPECT_TRUE(handle(data, Op::dm_open, DmOpenArgs{3}).ok());
  EXPECT_TRUE(handle(data, Op::chat_create, ChatCreateArgs{"t", {3}}).ok());
  data.blocks = {{kCaller, 2}};  // the caller blocks 2: it may still open a chat with it
  EXPECT_TRUE(handle(data, Op::dm_open, DmOpenArgs{2}).ok());
}

TEST(BridgeRequestHandler, ABlockersPresenceReadsAsNeverOnline) {
  FakeData data;
  data.presence = {{2, true, std::nullopt}, {3, false, 5000}};
  data.blocks = {{2, kCaller}, {3, kCaller}};
  const Answer hidden = handle(data, Op::presence_get, PresenceGetArgs{{2, 3}});
  ASSERT_TRUE(hidden.ok()) << hidden.body;
  EXPECT_EQ(hidden.result().at("users"),
            json::parse(R"([{"uid":2,"online":false,"last_seen":null},{"uid":3,"online":false,"last_seen":null}])"));
  data.blocks.clear();
  const Answer shown = handle(data, Op::presence_get, PresenceGetArgs{{2, 3}});
  EXPECT_EQ(shown.result().at("users").at(0).at("online"), true);
  EXPECT_EQ(shown.result().at("users").at(1).at("last_seen"), 5000);
}

storage::SearchHit search_hit(ChatId chat, storage::Seq seq) {
  storage::SearchHit hit;
  hit.chat_id = chat;
  hit.seq = seq;
  hit.sender_id = 2;
  hit.created_at_ms = 1000 + seq;
  hit.cursor = storage::SearchCursor{(1000 + seq) * 1000, chat, seq};
  hit.snippet = "hit " + std::to_string(seq);
  return hit;
}

TEST(BridgeRequestHandler, SearchAsksForOneMoreAndGivesTheLastHitsCursor) {
  FakeData data;
  data.hits = {search_hit(1, 9), search_hit(1, 8), search_hit(1, 7)};
  SearchArgs args;
  args.query = "hit";
  args.limit = 2;
  const Answer answer = handle(data, Op::search, args);
  ASSERT_TRUE(answer.ok()) << answer.body;
  ASSERT_TRUE(data.asked_search);
  EXPECT_EQ(data.asked_search->user, kCaller);
  EXPECT_EQ(data.asked_search->limit, 3);
  EXPECT_EQ(data.asked_search_text, "hit");
  EXPECT_FALSE(data.asked_search->chat);
  const json& result = answer.result();
  EXPECT_EQ(result.at("hits"),
            (json::array({{{"chat", 1}, {"seq", 9}, {"from", 2}, {"ts", 1009}, {"snippet", "hit 9"}},
                          {{"chat", 1}, {"seq", 8}, {"from", 2}, {"ts", 1008}, {"snippet", "hit 8"}}})));
  EXPECT_EQ(result.at("more"), true);
  EXPECT_EQ(result.at("next"), "1008000-1-8");

  // The last page: no more, next null.
  data.hits = {search_hit(1, 7)};
  args.before = storage::SearchCursor{1008000, 1, 8};
  const Answer last = handle(data, Op::search, args);
  ASSERT_TRUE(last.ok()) << last.body;
  EXPECT_EQ(data.asked_search->before, args.before);
  EXPECT_EQ(last.result().at("hits").size(), 1u);
  EXPECT_EQ(last.result().at("more"), false);
  EXPECT_TRUE(last.result().at("next").is_null());
}

TEST(BridgeRequestHandler, SearchInOneChatIsForItsMembersOnly) {
  FakeData data;
  data.add_chat(group(1), true);
  data.add_chat(group(3), false);
  SearchArgs args;
  args.query = "hello";
  args.chat = 3;
  EXPECT_EQ(handle(data, Op::search, args).error_code(), "forbidden");
  args.chat = 9;
  EXPECT_EQ(handle(data, Op::search, args).error_code(), "not_found");
  EXPECT_FALSE(data.asked_search);  // refused before searching
  args.chat = 1;
  ASSERT_TRUE(handle(data, Op::search, args).ok());
  EXPECT_EQ(data.asked_search->chat, 1);
}

}  // namespace
}  // namespace chat::bridge

namespace chat::bridge {
namespace {

TEST(BridgeRequestHandler, DeviceRegisterStoresTheCallersDevice) {
  FakeData data;
  const Answer ok = handle(data, Op::device_register, DeviceRegisterArgs{"phone", "com.x", "fcm", "key", "{}"});
  ASSERT_TRUE(ok.ok()) << ok.body;
  EXPECT_EQ(ok.result(), (json{{"device", "phone"}, {"pushkey_ts", 1763700000}}));
  ASSERT_TRUE(data.registered);
  EXPECT_EQ(data.registered->user_id, kCaller);
  EXPECT_EQ(data.registered->pushkey, "key");
  EXPECT_EQ(data.asked_max_devices, protocol::push::kMaxPushDevicesPerUser);

  data.registration.status = storage::PushRegistrationStatus::too_many_devices;
  EXPECT_EQ(handle(data, Op::device_register, DeviceRegisterArgs{"tablet", "com.x", "fcm", "k2", "{}"}).error_code(),
            "conflict");
  data.registration.status = storage::PushRegistrationStatus::user_not_found;
  EXPECT_EQ(handle(data, Op::device_register, DeviceRegisterArgs{"tablet", "com.x", "fcm", "k2", "{}"}).error_code(),
            "not_found");

  const Answer gone = handle(data, Op::device_unregister, DeviceUnregisterArgs{"phone"});
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone.result(), (json{{"device", "phone"}, {"removed", true}}));
  EXPECT_EQ(data.unregistered, (std::pair<UserId, std::string>{kCaller, "phone"}));
}

TEST(BridgeRequestHandler, ChatMuteAnswersForMembersOnly) {
  FakeData data;
  const Answer ok = handle(data, Op::chat_mute, ChatMuteArgs{5, 1763700000000});
  ASSERT_TRUE(ok.ok()) << ok.body;
  EXPECT_EQ(ok.result(), (json{{"chat", 5}, {"until", 1763700000000}}));
  EXPECT_EQ(std::get<2>(data.muted), std::optional<storage::TimeMs>(1763700000000));
  ASSERT_TRUE(handle(data, Op::chat_mute, ChatMuteArgs{5, 0}).ok());
  EXPECT_EQ(std::get<2>(data.muted), std::nullopt) << "0 unmutes";

  data.mute_status = storage::MuteStatus::not_member;
  EXPECT_EQ(handle(data, Op::chat_mute, ChatMuteArgs{5, 1}).error_code(), "forbidden");
  data.mute_status = storage::MuteStatus::chat_not_found;
  EXPECT_EQ(handle(data, Op::chat_mute, ChatMuteArgs{5, 1}).error_code(), "not_found");
  data.mute_status = storage::MuteStatus::chat_deleted;
  EXPECT_EQ(handle(data, Op::chat_mute, ChatMuteArgs{5, 1}).error_code(), "not_found");
}

// The caller's own event topic hears of a mute and of an unmute (every device
// of the user reads it); a refused mute tells nobody.
TEST(BridgeRequestHandler, ChatMuteTellsTheCallersDevices) {
  FakeData data;
  const Answer muted = handle(data, Op::chat_mute, ChatMuteArgs{5, 1763700000000});
  ASSERT_EQ(muted.outcome.events.size(), 1u);
  EXPECT_EQ(muted.outcome.events[0].topic, "u/1/ev");
  EXPECT_EQ(json::parse(muted.outcome.events[0].payload),
            (json{{"ev", "chat.muted"}, {"chat", 5}, {"until", 1763700000000}}));

  const Answer unmuted = handle(data, Op::chat_mute, ChatMuteArgs{5, 0});
  ASSERT_EQ(unmuted.outcome.events.size(), 1u);
  EXPECT_EQ(json::parse(unmuted.outcome.events[0].payload).at("until"), 0) << "an unmute says 0";

  data.mute_status = storage::MuteStatus::not_member;
  EXPECT_TRUE(handle(data, Op::chat_mute, ChatMuteArgs{5, 1}).outcome.events.empty());
  data.mute_status = storage::MuteStatus::chat_deleted;
  EXPECT_TRUE(handle(data, Op::chat_mute, ChatMuteArgs{5, 1}).outcome.events.empty());
}

}  // namespace
}  // namespace chat::bridge
