// Requests with SQL-looking strings in every field (op, id, arguments, a
// group's title), requests about what is not one's own, and floods of
// requests and receipts. Bad requests get an error answer; SQL in a title is
// a title; floods are cut by the per-user publish limit (PUBACK 135,
// `rate_limited`), and every request that got in is answered.
#include "hostile_test.hpp"

#include <nlohmann/json.hpp>

namespace chat::hostile {
namespace {

using nlohmann::json;

// A device that sends requests on req/{uid}/{device} and reads the answers.
class Requester {
 public:
  Requester(std::unique_ptr<RawMqttClient> client, StackUser user)
      : client_(std::move(client)), user_(std::move(user)) {
    EXPECT_EQ(client_->subscribe("u/" + user_.uid() + "/rsp/phone"), 1);
  }
  // Publishes the request; the PUBACK's code.
  int send(const std::string& payload) { return client_->publish("req/" + user_.uid() + "/phone", payload); }
  // The next answer (any id); null when none came.
  json answer(std::chrono::milliseconds timeout = 5s) {
    const auto got = client_->next_publish(timeout, "u/" + user_.uid() + "/rsp/phone");
    return got ? json::parse(got->payload, nullptr, false) : json();
  }
  json ask(const std::string& payload) {
    EXPECT_EQ(send(payload), kAccepted);
    return answer();
  }

 private:
  std::unique_ptr<RawMqttClient> client_;
  StackUser user_;
};

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

// SQL in a request's id comes back as the id; SQL in a title is the title.
TEST_F(HostileTest, SqlInRequestIdAndTitleIsJustText) {
  const StackUser me = fresh_attacker();
  Requester requester(connect_as(me), me);
  const std::string id = "r'; DROP TABLE chats; --";
  const std::string title = "'); DELETE FROM users; --";
  under_attack(
      [&](int) {
        const json answer = requester.ask(json{{"id", id}, {"op", "chat.create"}, {"args", {{"title", title}}}}.dump());
        ASSERT_EQ(answer["id"], id) << answer.dump();
        ASSERT_EQ(answer["ok"], true) << answer.dump();
      },
      Rounds::once);
  EXPECT_EQ(stack().psql("SELECT count(*) FROM chats WHERE title = $$" + title + "$$"), "1");
}

// Requests as fast as one device can send them: the first ones (the burst)
// are all answered, the rest refused at the broker as rate_limited.
TEST_F(HostileTest, RequestFlood) {
  const StackUser me = fresh_attacker();
  Requester requester(connect_as(me), me);
  int accepted = 0;
  int refused = 0;
  under_attack([&](int round) {
    const int code = requester.send(R"({"id":"f)" + std::to_string(round) + R"(","op":"chat.list","args":{}})");
    ASSERT_TRUE(code == kAccepted || code == kNotAuthorized) << code;
    (code == kAccepted ? accepted : refused)++;
  });
  EXPECT_GT(refused, 0) << "the flood met the rate limit";
  int answered = 0;
  while (answered < accepted) {
    const json answer = requester.answer();
    if (!answer.is_object()) break;
    EXPECT_EQ(answer["ok"], true) << answer.dump();
    ++answered;
  }
  EXPECT_EQ(answered, accepted) << "every request that got in was answered";
}

// Receipts as fast as one device can send them: accepted ones move the
// cursor, the rest are refused as rate_limited.
TEST_F(HostileTest, ReceiptFlood) {
  const StackUser me = fresh_attacker();
  auto attacker = connect_as(me);
  const std::string topic = "dm/" + stack().sink.uid() + "/rcpt/" + me.uid();
  int refused = 0;
  under_attack([&](int round) {
    const int code = attacker->publish(topic, R"({"type":"read","seq":)" + std::to_string(round + 1) + "}");
    ASSERT_TRUE(code == kAccepted || code == kNotAuthorized) << code;
    refused += code == kNotAuthorized ? 1 : 0;
  });
  EXPECT_GT(refused, 0) << "the flood met the rate limit";
}

// Messages as fast as one device can send them: what got in is acked and
// stored once; the rest is refused as rate_limited, never half-stored.
TEST_F(HostileTest, MessageFlood) {
  const StackUser me = fresh_attacker();
  auto attacker = connect_as(me);
  const std::string topic = "dm/" + stack().sink.uid() + "/msg/" + me.uid();
  int accepted = 0;
  int refused = 0;
  under_attack([&](int round) {
    const int code = attacker->publish(
        topic, json{{"id", "flood-" + std::to_string(round)}, {"type", "text"}, {"text", "spam"}}.dump());
    ASSERT_TRUE(code == kAccepted || code == kNotAuthorized) << code;
    (code == kAccepted ? accepted : refused)++;
  });
  EXPECT_GT(refused, 0) << "the flood met the rate limit";
  const std::string stored = "SELECT count(*) FROM messages WHERE sender_id = " + me.uid();
  testing::wait_until([&] { return stack().psql_int(stored) >= accepted; }, 15s, 50ms);
  EXPECT_EQ(stack().psql_int(stored), accepted) << "every accepted message stored, once";
}

// history with a before_ts past PostgreSQL's timestamp range (~9.2e15 ms) in
// a group of one's own: answered `internal`, and the request worker lost its
// database session (issue #13, item 10). Now it is `bad_request`, refused
// before the database sees it, and the next request is answered.
TEST_F(HostileTest, HistoryBeforeTsPastYear9999) {
  const StackUser me = fresh_attacker();
  Requester requester(connect_as(me), me);
  const json created = requester.ask(R"({"id":"mine","op":"chat.create","args":{"title":"mine"}})");
  ASSERT_EQ(created["ok"], true) << created.dump();
  const std::int64_t chat = created["result"]["chat"]["id"];
  const std::string history = json{{"id", "far"},
                                   {"op", "history"},
                                   {"args", {{"chat", chat}, {"before_ts", std::int64_t{9'300'000'000'000'000}}}}}
                                  .dump();
  int answered = 0;
  under_attack([&](int round) {
    const int code = requester.send(history);
    if (code == kNotAuthorized && round > 0) return;  // the attacker's own rate limit
    ASSERT_EQ(code, kAccepted) << "round " << round;
    const json answer = requester.answer();
    ASSERT_TRUE(answer.is_object()) << "an answer";
    EXPECT_EQ(answer["id"], "far");
    EXPECT_EQ(answer["ok"], false) << answer.dump();
    EXPECT_EQ(answer["error"]["code"], "bad_request") << answer.dump();
    const std::string next = "next-" + std::to_string(round);
    if (requester.send(json{{"id", next}, {"op", "chat.list"}, {"args", json::object()}}.dump()) != kAccepted) return;
    const json listed = requester.answer();
    ASSERT_EQ(listed["id"], next) << "the next request is answered";
    EXPECT_EQ(listed["ok"], true) << listed.dump();
    ++answered;
  });
  EXPECT_GT(answered, 0);
}

}  // namespace
}  // namespace chat::hostile
