// SQL in a request's id and a group's title, floods of requests, receipts and
// messages, a history time past PostgreSQL's range. SQL in a title is a
// title; floods are cut by the per-user publish limit (PUBACK 135,
// `rate_limited`), and every request that got in is answered. (Bad requests,
// each answered with an error: hostile_bad_requests_test.cpp.)
#include "hostile_test.hpp"
#include "requester.hpp"

#include <nlohmann/json.hpp>

namespace chat::hostile {
namespace {

using nlohmann::json;

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
