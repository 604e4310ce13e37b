// Requests with SQL-looking strings in the op, arguments and argument names,
// and requests about what is not one's own: each gets an error answer with
// the contract's code, and the tables stay intact.
#include "hostile_test.hpp"
#include "requester.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace chat::hostile {
namespace {

using nlohmann::json;

struct BadRequest {
  const char* name;
  std::function<std::string(const HostileStack&)> payload;
  const char* code;  // the error answer's code
};

class HostileRequest : public HostileTest, public ::testing::WithParamInterface<BadRequest> {};

TEST_P(HostileRequest, GetsAnErrorAnswer) {
  const StackUser me = fresh_attacker();
  Requester requester(connect_as(me), me);
  const std::string payload = GetParam().payload(stack());
  int answered = 0;
  under_attack([&](int round) {
    const int code = requester.send(payload);
    if (code == kNotAuthorized && round > 0) return;  // the attacker's own rate limit
    ASSERT_EQ(code, kAccepted) << "round " << round;
    const json answer = requester.answer();
    ASSERT_TRUE(answer.is_object()) << "an answer";
    EXPECT_EQ(answer["ok"], false) << answer.dump();
    EXPECT_EQ(answer["error"]["code"], GetParam().code) << answer.dump();
    ++answered;
  });
  EXPECT_GT(answered, 0);
  EXPECT_GE(stack().psql_int("SELECT count(*) FROM messages"), 1) << "the messages table is intact";
}

INSTANTIATE_TEST_SUITE_P(
    Requests, HostileRequest,
    ::testing::Values(
        BadRequest{"SqlInTheOp",
                   [](const HostileStack&) { return R"({"id":"r1","op":"chat.list' OR '1'='1","args":{}})"; },
                   "bad_request"},
        BadRequest{"SqlInAChatId",
                   [](const HostileStack&) {
                     return R"({"id":"r1","op":"history","args":{"chat":"1; DROP TABLE messages"}})";
                   },
                   "bad_request"},
        BadRequest{
            "SqlInAUserList",
            [](const HostileStack&) { return R"({"id":"r1","op":"presence.get","args":{"users":["1 OR 1=1"]}})"; },
            "bad_request"},
        BadRequest{
            "SqlAsAnArgumentName",
            [](const HostileStack&) { return R"({"id":"r1","op":"chat.list","args":{"after; DROP TABLE chats":1}})"; },
            "bad_request"},
        BadRequest{"HistoryOfAGroupSheIsNotIn",
                   [](const HostileStack& s) {
                     return R"({"id":"r1","op":"history","args":{"chat":)" + std::to_string(s.closed_group) + "}}";
                   },
                   "forbidden"},
        BadRequest{"AddHerselfToAGroup",
                   [](const HostileStack& s) {
                     return R"({"id":"r1","op":"chat.add","args":{"chat":)" + std::to_string(s.closed_group) +
                            R"(,"users":[)" + s.mallory.uid() + "]}}";
                   },
                   "forbidden"},
        BadRequest{"DeleteAnotherUsersGroup",
                   [](const HostileStack& s) {
                     return R"({"id":"r1","op":"chat.delete","args":{"chat":)" + std::to_string(s.closed_group) + "}}";
                   },
                   "forbidden"}),
    [](const ::testing::TestParamInfo<BadRequest>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace chat::hostile
