// The pure part of the request path: reading a request and checking its
// arguments (docs/protocol.md section 4), and the answers' envelopes.
#include "chat/bridge/requests.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <limits>
#include <string>

namespace chat::bridge {
namespace {

using nlohmann::json;
constexpr std::size_t kMax = 65536;

Request parsed(const std::string& payload) {
  auto result = parse_request(payload, kMax);
  if (auto* failure = std::get_if<RequestFailure>(&result)) {
    ADD_FAILURE() << payload << ": " << failure->error.message;
    return {};
  }
  return std::get<Request>(std::move(result));
}

RequestFailure refused(const std::string& payload, std::size_t max = kMax) {
  auto result = parse_request(payload, max);
  if (std::holds_alternative<Request>(result)) {
    ADD_FAILURE() << payload << " was accepted";
    return {};
  }
  return std::get<RequestFailure>(std::move(result));
}

std::string request(const std::string& op, const json& args) {
  return json{{"id", "r1"}, {"op", op}, {"args", args}}.dump();
}

TEST(BridgeRequests, ReadsEveryOp) {
  EXPECT_EQ(std::get<DmOpenArgs>(parsed(request("dm.open", {{"user", 7}})).args).user, 7);

  const auto create = parsed(request("chat.create", {{"title", "team"}, {"members", {9, 3, 9}}}));
  EXPECT_EQ(create.op, Op::chat_create);
  EXPECT_EQ(std::get<ChatCreateArgs>(create.args).title, "team");
  EXPECT_EQ(std::get<ChatCreateArgs>(create.args).members, (std::vector<Id>{3, 9}));  // sorted, once each
  EXPECT_TRUE(std::get<ChatCreateArgs>(parsed(request("chat.create", {{"title", "solo"}})).args).members.empty());

  EXPECT_EQ(parsed(request("chat.delete", {{"chat", 5}})).op, Op::chat_delete);
  EXPECT_EQ(std::get<ChatArgs>(parsed(request("chat.info", {{"chat", 5}})).args).chat, 5);

  const auto add = parsed(request("chat.add", {{"chat", 5}, {"users", {4}}}));
  EXPECT_EQ(add.op, Op::chat_add);
  EXPECT_EQ(std::get<ChatUsersArgs>(add.args).users, std::vector<Id>{4});
  EXPECT_EQ(parsed(request("chat.remove", {{"chat", 5}, {"users", {4}}})).op, Op::chat_remove);

  EXPECT_EQ(std::get<ChatListArgs>(parsed(R"({"id":"r1","op":"chat.list"})").args).after, 0);
  EXPECT_EQ(std::get<ChatListArgs>(parsed(request("chat.list", {{"after", 40}})).args).after, 40);

  const auto presence = parsed(request("presence.get", {{"users", {2, 1}}}));
  EXPECT_EQ(std::get<PresenceGetArgs>(presence.args).users, (std::vector<Id>{1, 2}));
  EXPECT_EQ(presence.id, "r1");

  const auto block = parsed(request("user.block", {{"user", 7}}));
  EXPECT_EQ(block.op, Op::user_block);
  EXPECT_EQ(std::get<UserArgs>(block.args).user, 7);
  EXPECT_EQ(parsed(request("user.unblock", {{"user", 7}})).op, Op::user_unblock);
  EXPECT_EQ(parsed(R"({"id":"r1","op":"user.blocked"})").op, Op::user_blocked);
  EXPECT_EQ(parsed(request("user.blocked", json::object())).op, Op::user_blocked);
}

TEST(BridgeRequests, HistoryTakesAtMostOneAnchorAndABoundedLimit) {
  auto h = std::get<HistoryArgs>(parsed(request("history", {{"chat", 5}})).args);
  EXPECT_EQ(h.anchor, HistoryArgs::Anchor::newest);
  EXPECT_EQ(h.limit, request_limits::kDefaultHistoryLimit);

  h = std::get<HistoryArgs>(parsed(request("history", {{"chat", 5}, {"before_seq", 10}, {"limit", 200}})).args);
  EXPECT_EQ(h.anchor, HistoryArgs::Anchor::before_seq);
  EXPECT_EQ(h.value, 10);
  EXPECT_EQ(h.limit, 200);
  h = std::get<HistoryArgs>(parsed(request("history", {{"chat", 5}, {"after_seq", 0}})).args);
  EXPECT_EQ(h.anchor, HistoryArgs::Anchor::after_seq);
  h = std::get<HistoryArgs>(parsed(request("history", {{"chat", 5}, {"before_ts", 1763700000000}})).args);
  EXPECT_EQ(h.anchor, HistoryArgs::Anchor::before_ts);
  EXPECT_EQ(h.value, 1763700000000);

  for (const json& args :
       {json{{"chat", 5}, {"before_seq", 3}, {"after_seq", 1}}, json{{"chat", 5}, {"limit", 0}},
        json{{"chat", 5}, {"limit", 201}}, json{{"chat", 5}, {"limit", -1}}, json{{"chat", 5}, {"limit", "10"}},
        json{{"chat", 5}, {"limit", 1.5}}, json{{"chat", 5}, {"before_seq", 0}}, json{{"chat", 5}, {"after_seq", -1}},
        json{{"chat", 5}, {"before_ts", -1}}, json{{"before_seq", 3}}, json{{"chat", 5}, {"from", 1}}}) {
    const auto failure = refused(request("history", args));
    EXPECT_EQ(failure.error.code, RequestErrorCode::bad_request) << args;
    EXPECT_EQ(failure.id, "r1") << args;
  }
}

// Times beyond what PostgreSQL's timestamp arithmetic holds (~9.2e15 ms) are
// the client's error, answered before the database sees them.
TEST(BridgeRequests, HistoryRefusesTimesPastYear9999) {
  const auto last =
      std::get<HistoryArgs>(parsed(request("history", {{"chat", 5}, {"before_ts", request_limits::kMaxTimeMs}})).args);
  EXPECT_EQ(last.value, request_limits::kMaxTimeMs);
  for (const std::int64_t ts : {request_limits::kMaxTimeMs + 1, std::int64_t{9'300'000'000'000'000},
                                std::numeric_limits<std::int64_t>::max()}) {
    const auto failure = refused(request("history", {{"chat", 5}, {"before_ts", ts}}));
    EXPECT_EQ(failure.error.code, RequestErrorCode::bad_request) << ts;
  }
}

TEST(BridgeRequests, SyncReadsCursorsByChatId) {
  const auto s = std::get<SyncArgs>(parsed(request("sync", {{"cursors", {{"12", 3}, {"9", 0}}}})).args);
  ASSERT_EQ(s.cursors.size(), 2u);
  EXPECT_EQ(s.cursors[0].chat, 9);  // numeric order, not the keys' text order
  EXPECT_EQ(s.cursors[1].chat, 12);
  EXPECT_EQ(s.cursors[1].seq, 3);
  EXPECT_TRUE(std::get<SyncArgs>(parsed(request("sync", {{"cursors", json::object()}})).args).cursors.empty());

  json too_many = json::object();
  for (int chat = 1; chat <= static_cast<int>(request_limits::kMaxSyncCursors) + 1; ++chat) {
    too_many[std::to_string(chat)] = 0;
  }
  for (const json& args :
       {json::object(), json{{"cursors", json::array()}}, json{{"cursors", {{"x", 1}}}}, json{{"cursors", {{"07", 1}}}},
        json{{"cursors", {{"0", 1}}}}, json{{"cursors", {{"5", -1}}}}, json{{"cursors", {{"5", "1"}}}},
        json{{"cursors", too_many}}}) {
    EXPECT_EQ(refused(request("sync", args)).error.code, RequestErrorCode::bad_request) << args.dump().substr(0, 80);
  }
}

TEST(BridgeRequests, RefusesBadArgumentsWithTheRequestsId) {
  json many = json::array();
  for (int i = 1; i <= static_cast<int>(request_limits::kMaxUsers) + 1; ++i) many.push_back(i);
  json many_presence = json::array();
  for (int i = 1; i <= static_cast<int>(request_limits::kMaxPresenceUsers) + 1; ++i) many_presence.push_back(i);
  const std::pair<std::string, json> cases[] = {
      {"dm.open", json::object()},
      {"dm.open", {{"user", "7"}}},
      {"dm.open", {{"user", 0}}},
      {"dm.open", {{"user", -3}}},
      {"dm.open", {{"user", 7.0}}},
      {"dm.open", {{"user", 18446744073709551615ULL}}},
      {"dm.open", {{"user", 7}, {"extra", 1}}},
      {"chat.create", {{"members", {2}}}},
      {"chat.create", {{"title", ""}}},
      {"chat.create", {{"title", std::string(129, 'x')}}},
      {"chat.create", {{"title", 5}}},
      {"chat.create", {{"title", std::string("a\0b", 3)}}},
      {"chat.create", {{"title", "t"}, {"members", "2,3"}}},
      {"chat.create", {{"title", "t"}, {"members", many}}},
      {"chat.create", {{"title", "t"}, {"members", {1, "x"}}}},
      {"chat.add", {{"chat", 5}}},
      {"chat.add", {{"chat", 5}, {"users", json::array()}}},
      {"chat.remove", {{"users", {1}}}},
      {"chat.delete", {{"chat", "5; DROP TABLE chats"}}},
      {"chat.info", json::object()},
      {"chat.list", {{"after", -1}}},
      {"presence.get", {{"users", many_presence}}},
      {"presence.get", {{"users", json::array()}}},
      {"user.block", json::object()},
      {"user.block", {{"user", "7"}}},
      {"user.block", {{"user", 0}}},
      {"user.block", {{"users", {7}}}},
      {"user.unblock", {{"user", -1}}},
      {"user.blocked", {{"user", 7}}},
  };
  for (const auto& [op, args] : cases) {
    const auto failure = refused(request(op, args));
    EXPECT_EQ(failure.error.code, RequestErrorCode::bad_request) << op << " " << args.dump().substr(0, 80);
    EXPECT_EQ(failure.id, "r1");
    EXPECT_FALSE(failure.error.message.empty());
  }
  // 128 characters are fine, counted as characters, not bytes.
  std::string title;
  for (int i = 0; i < 128; ++i) title += "\xC3\xA9";  // é
  EXPECT_EQ(std::get<ChatCreateArgs>(parsed(request("chat.create", {{"title", title}})).args).title, title);
}

TEST(BridgeRequests, AnUnreadableRequestIsRefusedWithoutAnId) {
  for (const std::string& payload : std::vector<std::string>{
           "", "not json", "[1,2]", "\"r1\"", R"({"op":"chat.list"})", R"({"id":7,"op":"chat.list"})",
           R"({"id":"","op":"chat.list"})", R"({"id":")" + std::string(129, 'x') + R"(","op":"chat.list"})",
           std::string(20, '[') + std::string(20, ']'), std::string("{\"id\":\"r\xff\"}")}) {
    const auto failure = refused(payload);
    EXPECT_EQ(failure.error.code, RequestErrorCode::bad_request) << payload;
    EXPECT_FALSE(failure.id) << payload;
  }
  // Too large: refused before it is parsed.
  const auto large = refused(request("chat.list", {{"pad", std::string(2000, 'x')}}), 1000);
  EXPECT_FALSE(large.id);
  EXPECT_NE(large.error.message.find("bytes"), std::string::npos);
}

TEST(BridgeRequests, UnknownOpsAndArgsAreBadRequests) {
  EXPECT_EQ(refused(request("chat.destroy", json::object())).error.message, "unknown op \"chat.destroy\"");
  EXPECT_EQ(refused(R"({"id":"r1"})").id, "r1");
  EXPECT_EQ(refused(R"({"id":"r1","op":"chat.list","args":[1]})").error.code, RequestErrorCode::bad_request);
}

TEST(BridgeRequests, AnswersCarryTheIdOrNull) {
  EXPECT_EQ(ok_response("r1", R"({"chat":5})"), R"({"id":"r1","ok":true,"result":{"chat":5}})");
  const auto error = json::parse(error_response(std::nullopt, {RequestErrorCode::not_found, "no such chat"}));
  EXPECT_TRUE(error["id"].is_null());
  EXPECT_EQ(error["ok"], false);
  EXPECT_EQ(error["error"]["code"], "not_found");
  EXPECT_EQ(error["error"]["message"], "no such chat");
  // An id with characters that need escaping stays one JSON string.
  EXPECT_EQ(json::parse(ok_response("a\"b", "{}"))["id"], "a\"b");
  for (const auto code : {RequestErrorCode::bad_request, RequestErrorCode::forbidden, RequestErrorCode::not_found,
                          RequestErrorCode::conflict, RequestErrorCode::internal}) {
    EXPECT_FALSE(to_string(code).empty());
  }
}

TEST(BridgeRequests, SearchReadsTheQueryChatCursorAndLimit) {
  const auto plain = std::get<SearchArgs>(parsed(request("search", {{"q", "hello"}})).args);
  EXPECT_EQ(plain.query, "hello");
  EXPECT_FALSE(plain.chat);
  EXPECT_FALSE(plain.before);
  EXPECT_EQ(plain.limit, protocol::search::kDefaultLimit);

  const auto full = std::get<SearchArgs>(
      parsed(request("search", {{"q", "Привет"}, {"chat", 7}, {"before", "1763700000000123-7-42"}, {"limit", 50}}))
          .args);
  EXPECT_EQ(full.query, "Привет");
  EXPECT_EQ(full.chat, 7);
  EXPECT_EQ(full.before, (storage::SearchCursor{1763700000000123, 7, 42}));
  EXPECT_EQ(full.limit, 50);
  // 100 characters of two bytes each are within the limit.
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "ж";
  EXPECT_EQ(std::get<SearchArgs>(parsed(request("search", {{"q", hundred}})).args).query, hundred);
}

TEST(BridgeRequests, SearchRefusesBadArguments) {
  for (const json& args :
       {json::object(), json{{"q", ""}}, json{{"q", " \t\n"}}, json{{"q", 5}}, json{{"q", std::string(101, 'a')}},
        json{{"q", std::string("a\0b", 3)}}, json{{"q", "x"}, {"limit", 0}}, json{{"q", "x"}, {"limit", 51}},
        json{{"q", "x"}, {"limit", "5"}}, json{{"q", "x"}, {"chat", 0}}, json{{"q", "x"}, {"chat", "7"}},
        json{{"q", "x"}, {"before", 5}}, json{{"q", "x"}, {"before", "5-7"}}, json{{"q", "x"}, {"before", "05-7-1"}},
        json{{"q", "x"}, {"before", "-5-7-1"}}, json{{"q", "x"}, {"before", "5-7-0"}},
        json{{"q", "x"}, {"before", "5-7-1-2"}}, json{{"q", "x"}, {"query", "x"}}}) {
    const RequestFailure failure = refused(request("search", args));
    EXPECT_EQ(failure.error.code, RequestErrorCode::bad_request) << args;
    EXPECT_EQ(failure.id, "r1") << args;
  }
}

TEST(BridgeRequests, SearchCursorsGoAndComeBack) {
  const storage::SearchCursor cursor{1763700000000123, 12, 345};
  EXPECT_EQ(format_search_cursor(cursor), "1763700000000123-12-345");
  EXPECT_EQ(parse_search_cursor(format_search_cursor(cursor)), cursor);
  EXPECT_EQ(parse_search_cursor("0-1-1"), (storage::SearchCursor{0, 1, 1}));
  for (const char* bad : {"", "1-2", "a-1-1", "1-a-1", "1-1-", "1--1-1", " 1-1-1", "99999999999999999999-1-1"}) {
    EXPECT_FALSE(parse_search_cursor(bad)) << bad;
  }
}

}  // namespace
}  // namespace chat::bridge
