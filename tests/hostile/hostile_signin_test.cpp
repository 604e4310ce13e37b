// Signing in as someone one is not: a session takeover, a forged token in
// MQTT 3.1.1, names no account has, floods of wrong passwords for real
// accounts. (Each forged client id, username or token: hostile_signin_attempts_test.cpp.)
#include "forged_tokens.hpp"
#include "hostile_test.hpp"

#include "chat/credentials/password.hpp"
#include "chat/testing/environment.hpp"

#include <iostream>

namespace chat::hostile {
namespace {

// Session takeover: mallory, signed in properly, names alice's client id.
// Refused; alice's live session is untouched and still publishes.
TEST_F(HostileTest, ClientIdTakeoverLeavesTheVictimConnected) {
  auto alice = connect_as(stack().alice);
  const RawConnect takeover{.client_id = stack().alice.client_id(),
                            .username = stack().mallory.name,
                            .password = stack().token(stack().mallory)};
  under_attack([&](int round) { ASSERT_EQ(try_connect(takeover), kNotAuthorized) << "round " << round; });
  EXPECT_EQ(alice->publish("dm/" + stack().sink.uid() + "/msg/" + stack().alice.uid(),
                           R"({"id":"alice-after-takeover","type":"text","text":"still here"})"),
            kAccepted)
      << "alice's session survived";
}

// MQTT 3.1.1 clients get their own refusal code.
TEST_F(HostileTest, ForgedTokenInMqtt311) {
  const RawConnect forged{.client_id = stack().mallory.client_id(),
                          .username = stack().mallory.name,
                          .password = stack().token(stack().mallory.id, stack().mallory.name, 0, 1),
                          .version = 4};
  under_attack([&](int) { ASSERT_EQ(try_connect(forged), kRefused311); });
}

// A name no account has costs one lookup and no PBKDF2 check: refused at
// once (floods of them: ConnectFloodOfUnknownUsernamesWithPasswords).
TEST_F(HostileTest, SqlLookingUsernameWithPassword) {
  const RawConnect sql{
      .client_id = stack().mallory.client_id(), .username = "x'; DROP TABLE users; --", .password = "' OR '1'='1"};
  under_attack([&](int) { ASSERT_EQ(try_connect(sql), kNotAuthorized); }, Rounds::once);
  EXPECT_GE(stack().psql_int("SELECT count(*) FROM users"), 3) << "the users table is intact";
}

// Wrong passwords for real accounts whose hashes have the default cost
// (210 000 iterations, ~0.13 s of a core each): twelve guesses at three
// accounts, tried over and over, ten CONNECTs at a time (issue #13, item 14
// and the flood of wrong passwords). Every check costs PBKDF2 budget (20/s,
// burst 100: all twelve are filed at once), so the checking threads are busy
// for much of the window, but they are the plugin's own threads at idle CPU
// priority, not the broker's: a guess not checked yet is told to try again
// (closed without CONNACK), a guess checked meanwhile gets CONNACK 135 on its
// next try, nothing gets in, and the bystanders are answered as usual.
// Before, each check held the broker's only thread.
TEST_F(HostileTest, WrongPasswordFloodForRealAccounts) {
  const std::string hash = credentials::hash_password("the real one", credentials::kDefaultPbkdf2Iterations);
  std::vector<RawConnect> guesses;
  for (int i = 0; i < 3; ++i) {
    const StackUser victim = stack().add_user("pwvictim" + std::to_string(i), hash);
    for (int g = 0; g < 4; ++g) {
      guesses.push_back(RawConnect{
          .client_id = victim.client_id("guess"), .username = victim.name, .password = "guess " + std::to_string(g)});
    }
  }
  std::size_t tried = 0;
  int told_to_retry = 0;
  int refused = 0;
  under_attack([&](int round) {
    std::vector<std::unique_ptr<RawMqttClient>> clients;
    for (int i = 0; i < 10; ++i) clients.push_back(std::make_unique<RawMqttClient>(stack().port()));
    for (auto& client : clients) {
      const int code = client->connect(guesses[tried++ % guesses.size()]);
      ASSERT_TRUE(code == kNotAuthorized || code == RawMqttClient::kClosed) << "round " << round << ": " << code;
      (code == kNotAuthorized ? refused : told_to_retry)++;
    }
  });
  std::cout << "[ attack    ] " << tried << " tries, " << refused << " refused as wrong after their check, "
            << told_to_retry << " told to retry\n";
  // On a loaded machine no check may have finished inside the window; the
  // guesses queued meanwhile still are checked as the idle CPU allows, and a
  // guess retried after its check is refused as wrong.
  if (refused == 0) {
    EXPECT_TRUE(chat::testing::wait_until(
        [&] {
          RawMqttClient client(stack().port());
          const int code = client.connect(guesses[tried++ % guesses.size()]);
          EXPECT_TRUE(code == kNotAuthorized || code == RawMqttClient::kClosed) << code;
          return code == kNotAuthorized;
        },
        60s, 500ms))
        << "no default-cost wrong password was ever refused as wrong";
  }
}

// Issue #13: a flood of forty wrong guesses at ONE account, ten CONNECTs at
// a time, round after round. A guess that was checked is answered CONNACK 135
// on its next try (an answer is handed out once; a later try files a check
// again), so the 135s are at most the checks filed for the account, which its
// own budget caps: burst 10, then 10 a minute. The global budget alone (burst
// 100; this cheap hash costs 1/210 of a check) would check every guess in the
// first rounds and again after each 135. Meanwhile another account's correct
// password (default cost) is tried once a round, as a client retries, and
// gets in while the flood goes on.
TEST_F(HostileTest, WrongPasswordFloodAtOneAccountIsCappedForThatAccount) {
  const StackUser target = stack().add_user("pwtarget", credentials::hash_password("the real one", 1000));
  const std::string password = "the neighbour's own";
  const StackUser neighbour =
      stack().add_user("pwneighbour", credentials::hash_password(password, credentials::kDefaultPbkdf2Iterations));
  std::vector<RawConnect> guesses;
  for (int g = 0; g < 40; ++g) {
    guesses.push_back(RawConnect{
        .client_id = target.client_id("guess"), .username = target.name, .password = "guess " + std::to_string(g)});
  }
  const RawConnect neighbour_sign_in{
      .client_id = neighbour.client_id(), .username = neighbour.name, .password = password};
  std::size_t tried = 0;
  int refused = 0;
  int neighbour_tries = 0;
  bool neighbour_in = false;
  const auto flood_round = [&] {
    std::vector<std::unique_ptr<RawMqttClient>> clients;
    for (int i = 0; i < 10; ++i) clients.push_back(std::make_unique<RawMqttClient>(stack().port()));
    for (auto& client : clients) {
      const int code = client->connect(guesses[tried++ % guesses.size()]);
      EXPECT_TRUE(code == kNotAuthorized || code == RawMqttClient::kClosed) << code;
      if (code == kNotAuthorized) ++refused;
    }
    if (!neighbour_in) {
      ++neighbour_tries;
      const int code = try_connect(neighbour_sign_in);
      EXPECT_TRUE(code == kAccepted || code == RawMqttClient::kClosed) << "the neighbour's password: " << code;
      neighbour_in = code == kAccepted;
    }
  };
  const auto started = std::chrono::steady_clock::now();
  under_attack([&](int) { flood_round(); });
  // On a busy machine the neighbour's check (idle CPU priority) may still be
  // under way when the window ends: the flood goes on until it gets in.
  EXPECT_TRUE(chat::testing::wait_until(
      [&] {
        flood_round();
        return neighbour_in;
      },
      60s, 1ms))
      << "the neighbour's correct password never got in during the flood";
  const double flood_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "[ attack    ] " << tried << " guesses at one account in " << flood_s << " s, " << refused
            << " refused as wrong after their check, the rest told to retry; the neighbour got in on try "
            << neighbour_tries << "\n";
  // The account's budget (plugin defaults): its burst and what refilled meanwhile.
  EXPECT_LE(refused, 10 + static_cast<int>(flood_s * 10 / 60)) << "more checks for one account than its budget";
}

}  // namespace
}  // namespace chat::hostile
