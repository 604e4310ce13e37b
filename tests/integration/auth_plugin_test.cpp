// The auth plugin inside a real mosquitto, against a real PostgreSQL: sign-in
// (tokens, passwords, the service account), the contract's access rules end
// to end, the attack list of issue #4, group membership changes while
// subscribed, edge validation with nacks, rate limits, refusing bad options,
// and the TLS listener.
#include "chat/credentials/password.hpp"
#include "chat/credentials/token.hpp"
#include "chat/storage/store.hpp"
#include "chat/testing/mosquitto_broker.hpp"
#include "chat/testing/mqtt_test_client.hpp"
#include "chat/testing/postgres_cluster.hpp"
#include "chat/testing/process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace chat::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kSecret = "test-secret-0123456789abcdef0123456789abcdef";
const std::string kServiceUser = "svc-bridge";
const std::string kServicePassword = "service password";
constexpr int kNotAuthorized = 0x87;  // MQTT 5 reason code 135
constexpr int kFastHash = 1000;       // PBKDF2 iterations of the test users: fast, still the real scheme

// A CONNECT the broker answered by closing the connection without CONNACK:
// "server unavailable, try again" (mosquitto 2.0.11 lets a plugin send no
// CONNACK 3 / 0x89; auth-plugin/src/plugin.cpp).
bool told_to_retry(int rc) { return rc != 0 && rc != 5 && rc != kNotAuthorized; }

// Signs in as a client does: told to try again (a password check under way
// on the plugin's thread, a spent budget), it tries again a little later,
// until it gets an answer or 20 s pass. Returns the last answer.
int connect_retrying(MqttTestClient& client, const MqttConnectOptions& options) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int rc = client.connect(options);
  while (told_to_retry(rc) && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a client's back-off
    rc = client.connect(options);
  }
  return rc;
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// One PostgreSQL cluster and one migrated database per test binary.
class AuthEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    cluster = std::make_unique<PostgresCluster>();
    cluster->create_database("auth");
    storage::Store(cluster->conninfo("auth")).migrate();
    service_hash = credentials::hash_password(kServicePassword, kFastHash);
  }
  void TearDown() override { cluster.reset(); }

  std::unique_ptr<PostgresCluster> cluster;
  std::string service_hash;
};

AuthEnvironment* const env = [] {
  auto* e = new AuthEnvironment;
  ::testing::AddGlobalTestEnvironment(e);
  return e;
}();

AuthPluginSettings plugin_settings(std::map<std::string, std::string> options = {}) {
  AuthPluginSettings settings;
  settings.db_conninfo = env->cluster->conninfo("auth");
  settings.jwt_secret = kSecret;
  settings.service_username = kServiceUser;
  settings.service_password_hash = env->service_hash;
  settings.options = std::move(options);
  // Generous for the tests that do not test the rate limit.
  settings.options.emplace("publish_rate_per_s", "1000");
  settings.options.emplace("publish_burst", "1000");
  settings.options.emplace("password_checks_per_s", "100");
  settings.options.emplace("password_checks_burst", "100");
  settings.options.emplace("stats_interval_s", "1");
  return settings;
}

struct TestUser {
  storage::UserId id = 0;
  std::string name;
  std::string password;
  std::string uid() const { return std::to_string(id); }
  std::string client_id(const std::string& device = "phone") const { return uid() + ":" + device; }
  std::string token(std::int64_t ttl = 3600) const {
    return credentials::mint_token(kSecret, id, name, now_s() - 5, now_s() + ttl);
  }
};

class AuthPluginTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { broker_ = new MosquittoBroker(MosquittoOptions{.auth_plugin = plugin_settings()}); }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }

  static MosquittoBroker& broker() { return *broker_; }
  static storage::Store& store() {
    static storage::Store instance(env->cluster->conninfo("auth"));
    return instance;
  }
  static std::string psql(const std::string& sql) { return env->cluster->psql("auth", sql); }

  static TestUser make_user(const std::string& prefix = "user", int iterations = kFastHash) {
    static std::atomic<int> counter{0};
    const std::string name = prefix + std::to_string(++counter);
    const std::string password = "pw of " + name;
    return make_user_with(name, password, credentials::hash_password(password, iterations));
  }
  // A user whose password hash is given: many users can share one costly hash.
  static TestUser make_user_with(const std::string& name, const std::string& password, const std::string& hash) {
    TestUser user;
    user.name = name;
    user.password = password;
    storage::NewUser row;
    row.username = user.name;
    row.password_hash = hash;
    user.id = store().users().create(row).id;
    return user;
  }

  // A connected client signed in with a token (MQTT 5 unless said otherwise).
  static std::unique_ptr<MqttTestClient> connect(const TestUser& user, const std::string& device = "phone",
                                                 int version = 5, MosquittoBroker* on = nullptr) {
    auto client = std::make_unique<MqttTestClient>((on ? on : broker_)->uri(), user.client_id(device));
    const int rc = client->connect({.username = user.name, .password = user.token(), .mqtt_version = version});
    EXPECT_EQ(rc, 0) << "sign-in of " << user.name << " refused\n" << (on ? on : broker_)->log();
    return client;
  }

  // The final answer to a sign-in, retrying when told to (connect_retrying).
  static int try_connect(const std::string& client_id, const std::string& username, const std::string& password,
                         int version = 5, MosquittoBroker* on = nullptr) {
    MqttTestClient client((on ? on : broker_)->uri(), client_id);
    return connect_retrying(client, {.username = username, .password = password, .mqtt_version = version});
  }

  // The answer to one CONNECT.
  static int try_connect_once(const std::string& client_id, const std::string& username, const std::string& password,
                              int version = 5, MosquittoBroker* on = nullptr) {
    MqttTestClient client((on ? on : broker_)->uri(), client_id);
    return client.connect({.username = username, .password = password, .mqtt_version = version});
  }

  static std::unique_ptr<MqttTestClient> connect_service(const std::string& client_id = "bridge-test") {
    auto client = std::make_unique<MqttTestClient>(broker_->uri(), client_id);
    EXPECT_EQ(connect_retrying(*client, {.username = kServiceUser, .password = kServicePassword}), 0) << broker_->log();
    return client;
  }

  static std::string text_message(const std::string& id, const std::string& text = "hi") {
    return json{{"id", id}, {"type", "text"}, {"text", text}}.dump();
  }

  // The next message on `topic`, skipping others.
  static std::optional<ReceivedMessage> next_on(MqttTestClient& client, const std::string& topic,
                                                std::chrono::milliseconds timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto msg = client.next_message(left);
      if (!msg) return std::nullopt;
      if (msg->topic == topic) return msg;
    }
  }

  static inline MosquittoBroker* broker_ = nullptr;
};

// ---- sign-in --------------------------------------------------------------------

TEST_F(AuthPluginTest, TokenSignInInBothProtocolVersions) {
  const auto alice = make_user();
  EXPECT_EQ(try_connect(alice.client_id(), alice.name, alice.token(), 5), 0) << broker().log();
  EXPECT_EQ(try_connect(alice.client_id("old"), alice.name, alice.token(), 4), 0);
  // Usernames are case-folded: "Alice" is "alice".
  std::string upper = alice.name;
  upper[0] = 'U';
  EXPECT_EQ(try_connect(alice.client_id(), upper, alice.token()), 0);
}

TEST_F(AuthPluginTest, PasswordSignInIsVerifiedAndRemembered) {
  const auto bob = make_user();
  EXPECT_EQ(try_connect(bob.client_id(), bob.name, bob.password), 0) << broker().log();
  EXPECT_EQ(try_connect(bob.client_id("laptop"), bob.name, bob.password, 4), 0);
  EXPECT_EQ(try_connect(bob.client_id(), bob.name, "wrong"), kNotAuthorized);
  EXPECT_EQ(try_connect(bob.client_id(), bob.name, "wrong", 4), 5) << "3.1.1: not authorized";
  EXPECT_EQ(try_connect("999999:phone", "nobody_here", "pw"), kNotAuthorized);
}

TEST_F(AuthPluginTest, BadTokensAreRefused) {
  const auto carol = make_user();
  const std::string claims = json{{"sub", carol.uid()}, {"usr", carol.name}, {"exp", now_s() + 3600}}.dump();
  auto b64url = [](const std::string& text) {
    std::string out =
        credentials::base64_encode_unpadded(reinterpret_cast<const unsigned char*>(text.data()), text.size());
    for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return out;
  };
  const std::string good = carol.token();
  std::string forged = good;
  forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
  const std::string bad_tokens[] = {
      credentials::mint_token(kSecret, carol.id, carol.name, now_s() - 100, now_s() - 1),          // expired
      forged,                                                                                      // forged signature
      credentials::mint_token(std::string(48, 'w'), carol.id, carol.name, now_s(), now_s() + 60),  // wrong key
      b64url(R"({"alg":"none","typ":"JWT"})") + "." + b64url(claims) + ".",                        // alg none
      b64url(R"({"alg":"RS256","typ":"JWT"})") + "." + b64url(claims) + "." + good.substr(good.rfind('.') + 1),
      credentials::mint_token(kSecret, carol.id + 1000, carol.name, now_s(), now_s() + 60),  // another uid
  };
  for (const auto& token : bad_tokens) {
    EXPECT_EQ(try_connect(carol.client_id(), carol.name, token), kNotAuthorized) << token;
  }
  EXPECT_EQ(try_connect(carol.client_id(), carol.name, good), 0);
}

TEST_F(AuthPluginTest, WildcardsAndSlashesInNamesAreRefused) {
  const auto dan = make_user();
  for (const char* username : {"#", "+", "dan/x", "d+n", "d#n"}) {
    EXPECT_EQ(try_connect(dan.client_id(), username, dan.token()), kNotAuthorized) << username;
  }
  for (const std::string& id :
       std::vector<std::string>{std::string("#"), std::string("+"), dan.uid() + ":+", dan.uid() + ":#",
                                dan.uid() + "/x", dan.uid() + ":a/b", std::string("+:phone")}) {
    EXPECT_EQ(try_connect(id, dan.name, dan.token()), kNotAuthorized) << id;
  }
}

TEST_F(AuthPluginTest, SqlLookingUsernamesAndPasswordsAreJustRefused) {
  const auto erin = make_user();
  for (const char* username : {"' OR '1'='1", "erin'--", "x'; DROP TABLE users; --"}) {
    EXPECT_EQ(try_connect(erin.client_id(), username, "' OR '1'='1"), kNotAuthorized) << username;
  }
  EXPECT_EQ(try_connect(erin.client_id(), erin.name, "' OR '1'='1"), kNotAuthorized);
  EXPECT_EQ(try_connect(erin.client_id(), erin.name, "x' OR username <> '"), kNotAuthorized);
  EXPECT_NE(psql("SELECT count(*) FROM users"), "0") << "the users table is intact";
}

TEST_F(AuthPluginTest, AClientIdOfAnotherUserIsRefused) {
  const auto victim = make_user();
  const auto attacker = make_user();
  auto session = connect(victim);
  // The attacker's own valid credentials, but the victim's client id: a
  // successful CONNECT would take the victim's session over.
  EXPECT_EQ(try_connect(victim.client_id(), attacker.name, attacker.token()), kNotAuthorized);
  EXPECT_EQ(try_connect(victim.client_id(), attacker.name, attacker.password), kNotAuthorized);
  EXPECT_EQ(try_connect(victim.client_id(), kServiceUser, kServicePassword), kNotAuthorized)
      << "not even the service account may use a user's client id";
  // A round trip on the victim's session after the refused CONNECTs: a
  // takeover would have closed it before the broker answered them.
  EXPECT_LE(session->subscribe("u/" + victim.uid() + "/ev"), 1) << "the victim's session survived";
  EXPECT_TRUE(session->connected()) << "the victim's session survived";
}

TEST_F(AuthPluginTest, AnonymousAndEmptyCredentialsAreRefused) {
  const auto fay = make_user();
  EXPECT_NE(try_connect(fay.client_id(), "", ""), 0);
  EXPECT_EQ(try_connect(fay.client_id(), fay.name, ""), kNotAuthorized);
}

TEST_F(AuthPluginTest, DisabledUsersAreRefusedAndDisconnected) {
  const auto gus = make_user();
  auto bystander = connect(make_user());  // keeps the test client's network thread awake (mqtt_test_client.cpp)
  auto session = connect(gus);
  ASSERT_TRUE(session->connected());
  storage::UserPatch disable;
  disable.disabled = true;
  store().users().update(gus.id, disable);
  EXPECT_TRUE(wait_until([&] { return !session->connected(); }, 3s)) << "a disabled user is disconnected";
  EXPECT_EQ(try_connect(gus.client_id(), gus.name, gus.token()), kNotAuthorized);
  EXPECT_EQ(try_connect(gus.client_id(), gus.name, gus.password), kNotAuthorized);
  const std::string before_enabling = gus.token();
  storage::UserPatch enable;
  enable.disabled = false;
  store().users().update(gus.id, enable);
  const auto fresh = [&] { return credentials::mint_token(kSecret, gus.id, gus.name, now_s(), now_s() + 60); };
  EXPECT_TRUE(wait_until([&] { return try_connect(gus.client_id(), gus.name, fresh()) == 0; }, 3s))
      << "a token minted after re-enabling works";
  EXPECT_EQ(try_connect(gus.client_id(), gus.name, before_enabling), kNotAuthorized)
      << "re-enabling does not revive the tokens of before (issue #13, item 9)";
}

// Issue #13, item 9: tokens stayed valid for their whole life (up to 365
// days) after a password change.
TEST_F(AuthPluginTest, APasswordChangeRevokesEarlierTokens) {
  const auto kim = make_user();
  const std::string before = kim.token();  // issued 5 s ago
  ASSERT_EQ(try_connect(kim.client_id(), kim.name, before), 0);
  psql("UPDATE users SET password_hash = '" + credentials::hash_password("changed", kFastHash) +
       "' WHERE id = " + kim.uid());
  EXPECT_TRUE(wait_until([&] { return try_connect(kim.client_id(), kim.name, before) == kNotAuthorized; }, 3s))
      << "a token issued before the password change still works";
  const std::string after = credentials::mint_token(kSecret, kim.id, kim.name, now_s(), now_s() + 60);
  EXPECT_EQ(try_connect(kim.client_id(), kim.name, after), 0) << "a token minted after it works";
  psql("UPDATE users SET tokens_not_before = now() + interval '10 seconds' WHERE id = " + kim.uid());
  EXPECT_TRUE(wait_until(
      [&] {
        return try_connect(kim.client_id(), kim.name,
                           credentials::mint_token(kSecret, kim.id, kim.name, now_s(), now_s() + 60)) == kNotAuthorized;
      },
      3s))
      << "an explicit revocation (sign out everywhere)";
  const auto lou = make_user();
  EXPECT_EQ(try_connect(lou.client_id(), lou.name,
                        credentials::mint_token(kSecret, lou.id, lou.name, now_s() - 5, now_s() + 365 * 86400)),
            kNotAuthorized)
      << "a year-long token is above the lifetime limit";
  EXPECT_EQ(try_connect(lou.client_id(), lou.name, lou.token()), 0);
}

// Revocation ends open connections: "sign out everywhere" (tokens_not_before
// moved forward) and a password change disconnect the user's connections
// signed in before, whether with a token or a password; other users stay.
// Before, a revocation only refused the next sign-in: a connection already
// open stayed until it closed.
TEST_F(AuthPluginTest, ARevocationEndsTheUsersOpenConnections) {
  const auto kay = make_user();
  const auto other = make_user();
  auto bystander = connect(other);  // also keeps the test client's network thread awake (mqtt_test_client.cpp)
  auto by_token = connect(kay, "phone");
  auto by_password = std::make_unique<MqttTestClient>(broker().uri(), kay.client_id("laptop"));
  ASSERT_EQ(connect_retrying(*by_password, {.username = kay.name, .password = kay.password}), 0) << broker().log();
  ASSERT_TRUE(by_token->connected());
  ASSERT_TRUE(by_password->connected());

  psql("UPDATE users SET tokens_not_before = now() WHERE id = " + kay.uid());
  EXPECT_TRUE(wait_until([&] { return !by_token->connected() && !by_password->connected(); }, 3s))
      << "sign out everywhere left connections open\n"
      << broker().log();
  EXPECT_TRUE(bystander->connected()) << "another user's connection was ended";

  // A token minted after the revocation signs in again; a password change ends it too.
  const std::string fresh = credentials::mint_token(kSecret, kay.id, kay.name, now_s() + 1, now_s() + 60);
  auto again = std::make_unique<MqttTestClient>(broker().uri(), kay.client_id("phone"));
  ASSERT_TRUE(wait_until([&] { return again->connect({.username = kay.name, .password = fresh}) == 0; }, 3s))
      << broker().log();
  store().users().set_password_hash(kay.id, credentials::hash_password("changed", kFastHash));
  EXPECT_TRUE(wait_until([&] { return !again->connected(); }, 3s)) << "a password change left a connection open";
  EXPECT_EQ(try_connect(kay.client_id(), kay.name, kay.password), kNotAuthorized) << "the old password";
  EXPECT_TRUE(bystander->connected());
}

// Issue #13, item 8: after the cache loader lost its database session,
// password changes and disabled users of meanwhile were not applied (the old
// password worked for up to 15 minutes, the disabled user stayed connected).
TEST_F(AuthPluginTest, ChangesMadeWhileTheCacheLoaderWasAwayAreAppliedOnReload) {
  MosquittoBroker own(MosquittoOptions{.auth_plugin = plugin_settings()});
  const auto mia = make_user();
  const auto ned = make_user();
  ASSERT_EQ(try_connect(mia.client_id(), mia.name, mia.password, 5, &own), 0) << "mia's password is remembered";
  auto keepalive = connect(make_user(), "phone", 5, &own);  // keeps the test client's network thread awake
  auto session = connect(ned, "phone", 5, &own);
  const auto loads = [&] {
    const std::string log = own.log();
    std::size_t count = 0;
    const std::string loaded = "membership cache loaded";
    for (auto at = log.find(loaded); at != std::string::npos; at = log.find(loaded, at + 1)) {
      ++count;
    }
    return count;
  };
  ASSERT_EQ(loads(), 1u);
  // The loaders lose their sessions and cannot open new ones (the database
  // takes no new connections) while mia's password changes and ned is
  // disabled, over this process's open session: no loader can hear of it,
  // only the reload after the database is open again brings it.
  const auto admin = [](const std::string& sql) { return env->cluster->psql("postgres", sql); };
  admin("ALTER DATABASE auth WITH ALLOW_CONNECTIONS false");
  admin("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = 'chat-auth-cache'");
  store().users().set_password_hash(mia.id, credentials::hash_password("new", kFastHash));
  storage::UserPatch disable;
  disable.disabled = true;
  store().users().update(ned.id, disable);
  admin("ALTER DATABASE auth WITH ALLOW_CONNECTIONS true");
  ASSERT_TRUE(wait_until([&] { return loads() >= 2; }, 10s)) << own.log();
  EXPECT_TRUE(wait_until([&] { return !session->connected(); }, 3s)) << "ned, disabled meanwhile, is disconnected";
  EXPECT_EQ(try_connect(mia.client_id(), mia.name, mia.password, 5, &own), kNotAuthorized)
      << "mia's old password is forgotten\n"
      << own.log();
  EXPECT_EQ(try_connect(mia.client_id(), mia.name, "new", 5, &own), 0);
}

// Deleting renames the account (deleted.<id>) in the same statement that
// disables it: the kick must use the name its clients signed in with.
TEST_F(AuthPluginTest, DeletedUsersAreDisconnected) {
  const auto ida = make_user();
  auto bystander = connect(make_user());  // keeps the test client's network thread awake (mqtt_test_client.cpp)
  auto session = connect(ida);
  ASSERT_TRUE(session->connected());
  ASSERT_EQ(store().users().delete_account(ida.id, false).status, storage::AccountStatus::ok);
  EXPECT_TRUE(wait_until([&] { return !session->connected(); }, 3s)) << "a deleted user is disconnected";
  EXPECT_EQ(try_connect(ida.client_id(), ida.name, ida.token()), kNotAuthorized);
}

TEST_F(AuthPluginTest, ChangedPasswordIsNotRemembered) {
  const auto hal = make_user();
  ASSERT_EQ(try_connect(hal.client_id(), hal.name, hal.password), 0);
  psql("UPDATE users SET password_hash = '" + credentials::hash_password("new password", kFastHash) +
       "' WHERE id = " + hal.uid());
  EXPECT_TRUE(wait_until([&] { return try_connect(hal.client_id(), hal.name, hal.password) == kNotAuthorized; }, 3s))
      << "the old password is forgotten";
  EXPECT_EQ(try_connect(hal.client_id(), hal.name, "new password"), 0);
}

// Issue #13, item 14: correct passwords refused for lack of budget were
// answered CONNACK 5 / 0x87, which clients show as "wrong password".
TEST_F(AuthPluginTest, ASpentPasswordBudgetTellsTheClientToRetry) {
  MosquittoBroker tight(MosquittoOptions{
      .auth_plugin = plugin_settings({{"password_checks_per_s", "0.01"}, {"password_checks_burst", "1"}})});
  const auto first = make_user("costly", credentials::kDefaultPbkdf2Iterations);
  const auto second = make_user("costly", credentials::kDefaultPbkdf2Iterations);
  ASSERT_EQ(try_connect(first.client_id(), first.name, first.password, 5, &tight), 0) << "spends the whole budget";
  for (const int version : {4, 5}) {
    const int rc = try_connect_once(second.client_id(), second.name, second.password, version, &tight);
    EXPECT_TRUE(told_to_retry(rc)) << "MQTT " << version << ": CONNACK " << rc << "\n" << tight.log();
  }
  EXPECT_EQ(try_connect(second.client_id(), second.name, second.token(), 4, &tight), 0) << "tokens need no budget";
  EXPECT_NE(tight.log().find("try again"), std::string::npos);
}

// Issue #13, item 14: a password is verified on the plugin's own thread,
// never the broker's. The first CONNECT files the check and is told to try
// again at once; the retry gets the verdict: in, or "not authorized".
TEST_F(AuthPluginTest, APasswordIsAnsweredOnTheRetry) {
  const auto ann = make_user("costly", credentials::kDefaultPbkdf2Iterations);
  for (const int version : {4, 5}) {
    const std::string device = "v" + std::to_string(version);
    EXPECT_TRUE(told_to_retry(try_connect_once(ann.client_id(device), ann.name, "wrong " + device, version)))
        << "MQTT " << version << ": a wrong password is not refused before it is checked";
    EXPECT_EQ(try_connect(ann.client_id(device), ann.name, "wrong " + device, version),
              version == 5 ? kNotAuthorized : 5)
        << "the retry finds it wrong\n"
        << broker().log();
  }
  const int first = try_connect_once(ann.client_id(), ann.name, ann.password, 4);
  EXPECT_TRUE(told_to_retry(first)) << "CONNACK " << first << ": checked on the broker's thread?";
  EXPECT_EQ(try_connect(ann.client_id(), ann.name, ann.password, 4), 0) << "the retry gets in\n" << broker().log();
  EXPECT_EQ(try_connect_once(ann.client_id("laptop"), ann.name, ann.password), 0) << "then remembered";
}

// The broker's password checking threads (the plugin names them).
std::vector<pid_t> checking_threads(const MosquittoBroker& broker) {
  const std::filesystem::path tasks = "/proc/" + std::to_string(broker.pid()) + "/task";
  std::vector<pid_t> checking;
  for (const auto& task : std::filesystem::directory_iterator(tasks)) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name == "chat-pwcheck") checking.push_back(std::stoi(task.path().filename().string()));
  }
  return checking;
}

// The CPU time those threads have used, in seconds (utime + stime, fields 14
// and 15 of /proc/<pid>/task/<tid>/stat, counted after the name's ')').
double checking_cpu_s(const MosquittoBroker& broker) {
  long ticks = 0;
  for (const pid_t tid : checking_threads(broker)) {
    std::ifstream file("/proc/" + std::to_string(broker.pid()) + "/task/" + std::to_string(tid) + "/stat");
    std::string text;
    std::getline(file, text);
    std::istringstream fields(text.substr(text.rfind(')') + 1));
    std::string field;
    for (int number = 3; number <= 13 && fields >> field; ++number) {
    }
    long user = 0;
    long system = 0;
    fields >> user >> system;
    ticks += user + system;
  }
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Issue #13, item 14: the plugin's password checking threads, inside the
// real broker, run at idle CPU priority, one per core by default.
TEST_F(AuthPluginTest, PasswordCheckingThreadsRunAtIdlePriority) {
  const auto checking = checking_threads(broker());
  // 16: the option's maximum (auth-plugin/src/options.hpp).
  const auto cores = static_cast<std::size_t>(std::clamp(std::thread::hardware_concurrency(), 1U, 16U));
  EXPECT_EQ(checking.size(), cores) << "one checking thread per core by default\n" << broker().log();
  for (const pid_t tid : checking) EXPECT_EQ(sched_getscheduler(tid), SCHED_IDLE) << "thread " << tid;
  EXPECT_NE(sched_getscheduler(broker().pid()), SCHED_IDLE) << "the broker's own thread keeps its priority";
  EXPECT_NE(broker().log().find("at idle CPU priority (SCHED_IDLE)"), std::string::npos) << broker().log();
}

struct CrowdSignIn {
  int signed_in = 0;
  int given_up = 0;
  int retries = 0;
  int bystander_acks = 0;
  std::vector<double> bystander_ms;  // each PUBACK's wait, for the printed p50/p99 (never asserted)
  std::chrono::milliseconds took{0};

  double bystander_percentile_ms(double p) const {
    if (bystander_ms.empty()) return 0;
    std::vector<double> sorted = bystander_ms;
    std::sort(sorted.begin(), sorted.end());
    return sorted[static_cast<std::size_t>(p / 100 * static_cast<double>(sorted.size() - 1))];
  }
  std::string summary() const {
    return std::to_string(took.count()) + " ms, " + std::to_string(retries) +
           " retries; bystander PUBACKs meanwhile: " + std::to_string(bystander_acks) + ", p50 " +
           std::to_string(bystander_percentile_ms(50)) + " ms, p99 " + std::to_string(bystander_percentile_ms(99)) +
           " ms";
  }
};

// The plugin's own PBKDF2 budget and checking threads, not the tests' generous ones.
MosquittoOptions with_default_password_checks() {
  AuthPluginSettings settings = plugin_settings();
  settings.options.erase("password_checks_per_s");
  settings.options.erase("password_checks_burst");
  return MosquittoOptions{.auth_plugin = std::move(settings)};
}

// `users` sign in together (ten at a time, half MQTT 3.1.1, half 5) as
// clients do: told to try again, each tries again 100 ms later, until
// `patience` is over; a bystander publishes all along (about 100 a second)
// and must be answered.
CrowdSignIn sign_in_crowd(MosquittoBroker& broker, const std::vector<TestUser>& users, MqttTestClient& bystander,
                          const std::string& bystander_topic, std::chrono::seconds patience) {
  std::atomic<int> signed_in{0};
  std::atomic<int> given_up{0};
  std::atomic<int> retries{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> crowd;
  for (std::size_t t = 0; t < 10; ++t) {
    crowd.emplace_back([&, t] {
      for (std::size_t i = t; i < users.size(); i += 10) {
        const TestUser& u = users[i];
        while (true) {
          MqttTestClient client(broker.uri(), u.client_id());
          const int rc =
              client.connect({.username = u.name, .password = u.password, .mqtt_version = i % 2 == 0 ? 4 : 5});
          if (rc == 0) {
            ++signed_in;
            break;
          }
          if (!told_to_retry(rc) || std::chrono::steady_clock::now() - start > patience) {
            ++given_up;
            break;
          }
          ++retries;
          std::this_thread::sleep_for(100ms);  // a client's back-off
        }
      }
    });
  }
  CrowdSignIn result;
  const auto total = static_cast<int>(users.size());
  while (signed_in + given_up < total) {
    const auto sent = std::chrono::steady_clock::now();
    const int rc = bystander.publish(
        bystander_topic, R"({"id":"b)" + std::to_string(result.bystander_acks) + R"(","type":"text","text":"hi"})");
    result.bystander_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent).count());
    EXPECT_EQ(rc, 0) << "the broker stopped answering a bystander after " << result.bystander_acks << " PUBACKs\n"
                     << broker.log();
    if (rc != 0) break;
    ++result.bystander_acks;
    std::this_thread::sleep_for(10ms);  // a steady rate, well within the publish limit
  }
  for (auto& thread : crowd) thread.join();
  result.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  result.signed_in = signed_in;
  result.given_up = given_up;
  result.retries = retries;
  return result;
}

// Issue #13, item 14: a hundred users signing in together with correct
// passwords all get in (retrying when told to), and the broker keeps
// answering a bystander meanwhile. The default budget: checks are counted by
// their cost, so the tests' cheap hashes (1 000 iterations) take 1/210 each.
TEST_F(AuthPluginTest, AHundredUsersSigningInTogetherAllGetIn) {
  MosquittoBroker defaults(with_default_password_checks());
  std::vector<TestUser> users;
  for (int i = 0; i < 100; ++i) users.push_back(make_user("crowd"));
  const auto by = make_user();
  auto bystander = connect(by, "phone", 5, &defaults);
  const auto crowd = sign_in_crowd(defaults, users, *bystander, "dm/1/msg/" + by.uid(), 60s);
  EXPECT_EQ(crowd.signed_in, 100) << crowd.given_up << " gave up (refused as not authorized or told to retry for 60 s)";
  std::cout << "100 password sign-ins (1 000 iterations): " << crowd.summary() << "\n";
}

// The same at the default cost (210 000 iterations, ~0.13 s of a core each),
// the default budget (20 checks a second, burst 100) and the default checking
// threads (one per core, at idle priority): the burst files all hundred
// checks at once, the threads run them on the idle cores, all get in within
// seconds of retries; the figures are in docs/security.md. The patience
// (90 s) only bounds a failing run: on a machine whose cores are all busy,
// idle-priority checks wait for them. Tokens are the fast way in.
TEST_F(AuthPluginTest, AHundredUsersWithDefaultCostPasswordsAllGetIn) {
  MosquittoBroker defaults(with_default_password_checks());
  const std::string password = "one costly password";
  const std::string hash = credentials::hash_password(password, credentials::kDefaultPbkdf2Iterations);
  std::vector<TestUser> users;
  for (int i = 0; i < 100; ++i) users.push_back(make_user_with("costlycrowd" + std::to_string(i), password, hash));
  const auto by = make_user();
  auto bystander = connect(by, "phone", 5, &defaults);
  const auto crowd = sign_in_crowd(defaults, users, *bystander, "dm/1/msg/" + by.uid(), 90s);
  EXPECT_EQ(crowd.signed_in, 100) << crowd.given_up << " gave up (refused as not authorized or told to retry for 90 s)";
  std::cout << "100 password sign-ins (210 000 iterations): " << crowd.summary() << "; the checking threads used "
            << checking_cpu_s(defaults) << " s of CPU\n";
}

// Issue #13, item 4: a flood of unknown usernames and wrong passwords does not
// keep the bridge out, and unknown usernames cost no password check.
TEST_F(AuthPluginTest, TheServiceAccountGetsInDuringASignInFlood) {
  MosquittoBroker flooded(MosquittoOptions{
      .auth_plugin = plugin_settings({{"password_checks_per_s", "0.01"}, {"password_checks_burst", "1"}})});
  const auto victim = make_user("flooded", credentials::kDefaultPbkdf2Iterations);
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(try_connect("99999" + std::to_string(i) + ":x", "nobody" + std::to_string(i), "guess", 4, &flooded), 5);
  }
  EXPECT_EQ(try_connect(victim.client_id(), victim.name, victim.password, 4, &flooded), 0)
      << "unknown usernames spent no password check\n"
      << flooded.log();
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(
        told_to_retry(try_connect_once(victim.client_id(), victim.name, "guess" + std::to_string(i), 4, &flooded)))
        << "the users' budget is spent";
  }
  MqttTestClient bridge(flooded.uri(), "bridge-flooded");
  EXPECT_EQ(connect_retrying(bridge, {.username = kServiceUser, .password = kServicePassword}), 0) << flooded.log();
}

TEST_F(AuthPluginTest, ServiceAccount) {
  EXPECT_EQ(try_connect("bridge-1", kServiceUser, kServicePassword), 0);
  EXPECT_EQ(try_connect("bridge-1", kServiceUser, "wrong"), kNotAuthorized);
  const auto ivy = make_user();
  auto bridge = connect_service();
  EXPECT_LE(bridge->subscribe("$share/bridge/dm/+/msg/+"), 1) << "the bridge's shared subscription";
  auto sender = connect(ivy);
  ASSERT_EQ(sender->publish("dm/1/msg/" + ivy.uid(), text_message("s1")), 0);
  const auto got = next_on(*bridge, "dm/1/msg/" + ivy.uid());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(json::parse(got->payload)["id"], "s1");
  EXPECT_EQ(bridge->publish("u/" + ivy.uid() + "/ev", R"({"ev":"ack"})"), 0) << "the bridge writes events";
}

TEST_F(AuthPluginTest, StatsAreForTheServiceAccountOnly) {
  auto bridge = connect_service("bridge-stats");
  EXPECT_LE(bridge->subscribe("$SYS/broker/chat-auth/stats"), 1);
  const auto stats = next_on(*bridge, "$SYS/broker/chat-auth/stats", 5s);
  ASSERT_TRUE(stats.has_value());
  const auto doc = json::parse(stats->payload);
  EXPECT_TRUE(doc["cache"]["ready"].get<bool>());
  EXPECT_TRUE(doc["signins"].contains("refused"));
  const auto jay = make_user();
  auto user = connect(jay);
  EXPECT_EQ(user->subscribe("$SYS/broker/chat-auth/stats"), kNotAuthorized);
  EXPECT_NE(broker().log().find("chat-auth stats: signins"), std::string::npos) << "and a log line";
}

// ---- access rules end to end --------------------------------------------------------

TEST_F(AuthPluginTest, SubscribeRowsOfTheContract) {
  const auto me = make_user();
  const auto other = make_user();
  const auto group = store().chats().create_group(me.id, "mine", {});
  const auto foreign = store().chats().create_group(other.id, "theirs", {});
  auto client = connect(me);
  const std::string s = me.uid();
  const std::string o = other.uid();
  for (const std::string& allowed : std::vector<std::string>{
           "dm/" + s + "/#", "dm/+/+/" + s, "dm/" + s + "/msg/+", "u/" + s + "/ev", "u/" + s + "/rsp/phone",
           "u/" + s + "/#", std::string("presence/+"), "presence/" + o, "g/" + std::to_string(group.id) + "/#"}) {
    EXPECT_LE(client->subscribe(allowed), 1) << allowed;
  }
  for (const std::string& denied : std::vector<std::string>{
           std::string("#"), std::string("$SYS/#"), "$share/g1/dm/" + s + "/#", std::string("dm/+/#"), "dm/" + o + "/#",
           "dm/+/+/" + o, "u/" + o + "/ev", "g/" + std::to_string(foreign.id) + "/#", std::string("g/+/#"),
           "+/+/+/" + s, "req/" + s + "/phone", "st/" + s + "/phone", "dm/0" + s + "/#", "dm//msg/" + s}) {
    EXPECT_EQ(client->subscribe(denied), kNotAuthorized) << denied;
  }
}

TEST_F(AuthPluginTest, SubscribeRefusalsInMqtt311) {
  const auto me = make_user();
  auto client = connect(me, "old", 4);
  EXPECT_EQ(client->subscribe("#"), 0x80);
  EXPECT_EQ(client->subscribe("$share/x/#"), 0x80);
  EXPECT_LE(client->subscribe("dm/" + me.uid() + "/#"), 1);
}

TEST_F(AuthPluginTest, WriteRowsOfTheContract) {
  const auto me = make_user();
  const auto other = make_user();
  const auto group = store().chats().create_group(me.id, "w", {});
  const auto foreign = store().chats().create_group(other.id, "w2", {});
  auto client = connect(me);
  const std::string s = me.uid();
  const std::string o = other.uid();
  const std::string g = std::to_string(group.id);
  const std::string f = std::to_string(foreign.id);
  EXPECT_EQ(client->publish("dm/" + o + "/msg/" + s, text_message("w1")), 0);
  EXPECT_EQ(client->publish("dm/" + o + "/rcpt/" + s, R"({"type":"read","seq":1})"), 0);
  EXPECT_EQ(client->publish("dm/" + o + "/typing/" + s, "{}", 0), 0);
  EXPECT_EQ(client->publish("g/" + g + "/msg/" + s, text_message("w2")), 0);
  EXPECT_EQ(client->publish("req/" + s + "/phone", R"({"id":"r1","op":"chat.list"})"), 0);
  EXPECT_EQ(client->publish("st/" + s + "/phone", "online"), 0);
  EXPECT_EQ(client->publish("st/" + s + "/phone", "online", 1, /*retain=*/true), kNotAuthorized)
      << "users may not retain messages in the broker";
  for (const std::string& denied :
       std::vector<std::string>{"dm/" + o + "/msg/" + o, "dm/" + s + "/msg/" + o, "g/" + f + "/msg/" + s,
                                "req/" + o + "/phone", "st/" + o + "/phone", "u/" + s + "/ev", "u/" + o + "/ev",
                                "presence/" + s, std::string("$SYS/x"), "dm/abc/msg/" + s}) {
    EXPECT_EQ(client->publish(denied, text_message("w3")), kNotAuthorized) << denied;
  }
}

TEST_F(AuthPluginTest, ReadRowsOfTheContract) {
  const auto a = make_user();
  const auto b = make_user();
  const auto c = make_user();
  auto receiver = connect(b);
  ASSERT_LE(receiver->subscribe("dm/" + b.uid() + "/#"), 1);
  auto own_devices = connect(a, "laptop");
  ASSERT_LE(own_devices->subscribe("dm/+/+/" + a.uid()), 1);
  auto bystander = connect(c);
  ASSERT_LE(bystander->subscribe("dm/+/+/" + c.uid()), 1);
  ASSERT_LE(bystander->subscribe("dm/" + c.uid() + "/#"), 1);
  auto sender = connect(a);
  const std::string topic = "dm/" + b.uid() + "/msg/" + a.uid();
  ASSERT_EQ(sender->publish(topic, text_message("r1")), 0);
  EXPECT_TRUE(next_on(*receiver, topic).has_value()) << "addressed to it";
  EXPECT_TRUE(next_on(*own_devices, topic).has_value()) << "what it sent, on its other device";
  // Nobody else: the bystander's first message is one sent to it afterwards.
  const std::string to_bystander = "dm/" + c.uid() + "/msg/" + a.uid();
  ASSERT_EQ(sender->publish(to_bystander, text_message("marker")), 0);
  const auto first = bystander->next_message(10s);
  ASSERT_TRUE(first.has_value()) << "the marker did not arrive";
  EXPECT_EQ(first->topic, to_bystander) << "the bystander got " << first->topic;
}

TEST_F(AuthPluginTest, PresenceIsReadableByAnySignedInUser) {
  const auto a = make_user();
  auto bridge = connect_service("bridge-presence");
  ASSERT_EQ(bridge->publish("presence/" + a.uid(), R"({"online":true})", 1, true), 0);
  const auto b = make_user();
  auto watcher = connect(b);
  ASSERT_LE(watcher->subscribe("presence/+"), 1);
  const auto got = next_on(*watcher, "presence/" + a.uid());
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->retained);
}

// ---- groups ------------------------------------------------------------------

TEST_F(AuthPluginTest, RemovedMemberStillSubscribedReceivesNothingAfterOneSecond) {
  const auto owner = make_user();
  const auto member = make_user();
  const auto group = store().chats().create_group(owner.id, "g", std::vector<storage::UserId>{member.id});
  const std::string g = std::to_string(group.id);
  auto listener = connect(member);
  ASSERT_LE(listener->subscribe("g/" + g + "/#"), 1) << broker().log();
  auto speaker = connect(owner);
  const std::string topic = "g/" + g + "/msg/" + owner.uid();
  ASSERT_EQ(speaker->publish(topic, text_message("before")), 0);
  ASSERT_TRUE(next_on(*listener, topic).has_value()) << "a member receives";

  ASSERT_EQ(store().chats().remove_member(group.id, member.id), storage::MembershipChange::changed);
  // The plugin has learned of it once the member may no longer write there
  // (the same membership decides reading). Writes accepted before come back
  // to the member's own subscription and are read past below.
  const std::string own_topic = "g/" + g + "/msg/" + member.uid();
  ASSERT_TRUE(
      wait_until([&] { return listener->publish(own_topic, text_message("late")) == kNotAuthorized; }, 10s, 20ms))
      << "a removed member may no longer write";
  ASSERT_EQ(speaker->publish(topic, text_message("after")), 0);
  // A marker the member receives on a subscription of its own, published
  // after "after" was routed: the broker delivers to the member in order, so
  // "after" would have come first.
  ASSERT_LE(listener->subscribe("dm/+/+/" + member.uid()), 1);
  const std::string marker_topic = "dm/" + owner.uid() + "/msg/" + member.uid();
  ASSERT_EQ(listener->publish(marker_topic, text_message("marker")), 0);
  for (;;) {
    const auto received = listener->next_message(5s);
    ASSERT_TRUE(received.has_value()) << "the marker did not come back";
    if (received->topic == marker_topic) break;
    EXPECT_NE(received->topic, topic)
        << "a removed member, still subscribed, received a message published after its removal";
  }
  EXPECT_TRUE(listener->connected());
}

TEST_F(AuthPluginTest, AddedMemberSubscribesAtOnce) {
  const auto owner = make_user();
  const auto newcomer = make_user();
  const auto group = store().chats().create_group(owner.id, "g", {});
  const std::string filter = "g/" + std::to_string(group.id) + "/#";
  auto client = connect(newcomer);
  ASSERT_EQ(client->subscribe(filter), kNotAuthorized);
  ASSERT_EQ(store().chats().add_member(group.id, newcomer.id), storage::MembershipChange::changed);
  const auto added = std::chrono::steady_clock::now();
  EXPECT_TRUE(wait_until([&] { return client->subscribe(filter) <= 1; }, 1s, 5ms));
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - added);
  EXPECT_LT(took.count(), 500) << "the NOTIFY reached the plugin's cache late";
  auto speaker = connect(owner);
  const std::string topic = "g/" + std::to_string(group.id) + "/msg/" + owner.uid();
  ASSERT_EQ(speaker->publish(topic, text_message("welcome")), 0);
  EXPECT_TRUE(next_on(*client, topic).has_value());
}

TEST_F(AuthPluginTest, DeletedGroupIsClosedToItsMembers) {
  const auto owner = make_user();
  const auto group = store().chats().create_group(owner.id, "g", {});
  const std::string g = std::to_string(group.id);
  auto client = connect(owner);
  ASSERT_LE(client->subscribe("g/" + g + "/#"), 1);
  psql("UPDATE chats SET deleted_at = now() WHERE id = " + g);
  EXPECT_TRUE(wait_until([&] { return client->subscribe("g/" + g + "/msg/+") == kNotAuthorized; }, 1s, 10ms));
}

// ---- edge validation -------------------------------------------------------------------

TEST_F(AuthPluginTest, BadPayloadIsDroppedAndThePublisherToldInMqtt5) {
  const auto a = make_user();
  const auto b = make_user();
  auto receiver = connect(b);
  ASSERT_LE(receiver->subscribe("dm/" + b.uid() + "/#"), 1);
  auto sender = connect(a);
  const std::string topic = "dm/" + b.uid() + "/msg/" + a.uid();
  EXPECT_EQ(sender->publish(topic, R"({"id":"bad1","type":"video"})"), kNotAuthorized);
  const auto nack = next_on(*sender, "u/" + a.uid() + "/ev");
  ASSERT_TRUE(nack.has_value()) << broker().log();
  const auto event = json::parse(nack->payload);
  EXPECT_EQ(event["ev"], "nack");
  EXPECT_EQ(event["id"], "bad1");
  EXPECT_EQ(event["topic"], topic);
  EXPECT_EQ(event["error"], "bad_request");
  EXPECT_FALSE(event["detail"].get<std::string>().empty());

  EXPECT_EQ(sender->publish(topic, "not json"), kNotAuthorized);
  EXPECT_EQ(json::parse(next_on(*sender, "u/" + a.uid() + "/ev")->payload)["error"], "bad_request");
  EXPECT_EQ(sender->publish(topic, "{\"id\":\"u1\",\"type\":\"text\",\"text\":\"\xff\"}"), kNotAuthorized);
  EXPECT_EQ(sender->publish(topic, text_message("big", std::string(70000, 'x'))), kNotAuthorized);
  EXPECT_EQ(json::parse(next_on(*sender, "u/" + a.uid() + "/ev")->payload)["error"], "bad_request");
  EXPECT_EQ(json::parse(next_on(*sender, "u/" + a.uid() + "/ev")->payload)["error"], "too_large");
  EXPECT_EQ(sender->publish("dm/" + b.uid() + "/rcpt/" + a.uid(), R"({"type":"read"})"), kNotAuthorized);

  // Nothing invalid was delivered: the receiver's first message is the valid one sent after.
  ASSERT_EQ(sender->publish(topic, text_message("good1")), 0);
  const auto good = receiver->next_message(10s);
  ASSERT_TRUE(good.has_value());
  EXPECT_EQ(json::parse(good->payload)["id"], "good1");
}

// Issue #13, item 3: at no size does the sender hear nothing. Up to the
// broker's max_packet_size (256 KiB, broker-config/mosquitto.conf) the plugin
// sees the publish and its nack names the message; above it the sender is
// disconnected (broker_config_test.cpp). 131 073 bytes was silently dropped
// by the old message_size_limit, 70 000 was nacked with "id": null.
TEST_F(AuthPluginTest, EveryOversizedMessageIsNackedWithItsIdUpToThePacketLimit) {
  const auto a = make_user();
  const auto b = make_user();
  const std::string topic = "dm/" + b.uid() + "/msg/" + a.uid();
  for (const int version : {4, 5}) {
    auto sender = connect(a, "v" + std::to_string(version), version);
    if (version == 4) {
      ASSERT_LE(sender->subscribe("u/" + a.uid() + "/ev"), 1);
    }
    for (const std::size_t size : {std::size_t{70000}, std::size_t{131073}, std::size_t{250000}}) {
      const std::string id = "big-" + std::to_string(version) + "-" + std::to_string(size);
      const std::string payload = text_message(id, std::string(size, 'x'));
      const int rc = sender->publish(topic, payload);
      if (version == 5) {
        EXPECT_EQ(rc, kNotAuthorized) << size;
      }
      const auto nack = next_on(*sender, "u/" + a.uid() + "/ev");
      ASSERT_TRUE(nack.has_value()) << "no nack for " << size << " bytes in MQTT " << version << "\n" << broker().log();
      const auto event = json::parse(nack->payload);
      EXPECT_EQ(event["error"], "too_large") << size;
      EXPECT_EQ(event["id"], id) << size;
    }
    EXPECT_TRUE(sender->connected());
  }
}

TEST_F(AuthPluginTest, BadPayloadIsNackedInMqtt311Too) {
  const auto a = make_user();
  const auto b = make_user();
  auto sender = connect(a, "old", 4);
  ASSERT_LE(sender->subscribe("u/" + a.uid() + "/ev"), 1);
  EXPECT_EQ(sender->publish("dm/" + b.uid() + "/msg/" + a.uid(), R"({"id":"x1"})"), 0)
      << "3.1.1 has no reason code in PUBACK";
  const auto nack = next_on(*sender, "u/" + a.uid() + "/ev");
  ASSERT_TRUE(nack.has_value());
  EXPECT_EQ(json::parse(nack->payload)["id"], "x1");
  EXPECT_EQ(json::parse(nack->payload)["error"], "bad_request");
}

TEST_F(AuthPluginTest, ForbiddenPublishIsNacked) {
  const auto a = make_user();
  auto sender = connect(a);
  EXPECT_EQ(sender->publish("dm/1/msg/2", text_message("f1")), kNotAuthorized);
  const auto nack = next_on(*sender, "u/" + a.uid() + "/ev");
  ASSERT_TRUE(nack.has_value());
  EXPECT_EQ(json::parse(nack->payload)["error"], "forbidden");
  EXPECT_EQ(json::parse(nack->payload)["id"], "f1");
}

TEST_F(AuthPluginTest, AWillCannotSmuggleAnInvalidMessage) {
  // mosquitto checks a will only against the ACL (no MESSAGE event), which is
  // why the plugin validates payloads in its ACL write check.
  const auto a = make_user();
  const auto b = make_user();
  auto receiver = connect(b);
  ASSERT_LE(receiver->subscribe("dm/" + b.uid() + "/#"), 1);
  const std::string topic = "dm/" + b.uid() + "/msg/" + a.uid();
  auto leave_with_will = [&](const std::string& payload) {
    MqttTestClient dying(broker().uri(), a.client_id());
    ASSERT_EQ(dying.connect({.username = a.name, .password = a.token(), .will_topic = topic, .will_payload = payload}),
              0);
    // A new connection with the same client id and a clean start ends the
    // old one as if it had died: its will is sent.
    MqttTestClient takeover(broker().uri(), a.client_id());
    ASSERT_EQ(takeover.connect({.username = a.name, .password = a.token()}), 0);
  };
  leave_with_will("not json at all");
  leave_with_will(text_message("will-ok"));
  // The valid will, sent after the invalid one, is the first to arrive.
  const auto valid = receiver->next_message(10s);
  ASSERT_TRUE(valid.has_value()) << "a valid will is delivered";
  EXPECT_EQ(valid->payload, text_message("will-ok")) << "an invalid will was delivered";
}

TEST_F(AuthPluginTest, TheStatusWillOfADeviceThatDropsOffIsDelivered) {
  const auto a = make_user();
  auto bridge = connect_service("bridge-wills");
  ASSERT_LE(bridge->subscribe("$share/bridge/st/+/+"), 1);
  const std::string topic = "st/" + a.uid() + "/phone";
  ChildProcess phone({"mosquitto_sub",
                      "-h",
                      "127.0.0.1",
                      "-p",
                      std::to_string(broker().port()),
                      "-V",
                      "mqttv5",
                      "-i",
                      a.client_id(),
                      "-u",
                      a.name,
                      "-P",
                      a.token(),
                      "-t",
                      "u/" + a.uid() + "/ev",
                      "--will-topic",
                      topic,
                      "--will-payload",
                      "offline",
                      "--will-qos",
                      "1"},
                     (broker().dir() / "phone.log").string());
  ASSERT_TRUE(wait_until([&] { return broker().log().find("as " + a.client_id()) != std::string::npos; }, 5s));
  phone.kill_hard();  // off the network: no DISCONNECT
  const auto will = next_on(*bridge, topic, 5s);
  ASSERT_TRUE(will.has_value()) << broker().log();
  EXPECT_EQ(will->payload, "offline");
}

TEST_F(AuthPluginTest, RateLimitAnswersRateLimited) {
  MosquittoBroker limited(
      MosquittoOptions{.auth_plugin = plugin_settings({{"publish_rate_per_s", "1"}, {"publish_burst", "3"}})});
  const auto a = make_user();
  auto sender = connect(a, "phone", 5, &limited);
  const std::string topic = "dm/1/msg/" + a.uid();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sender->publish(topic, text_message("ok" + std::to_string(i))), 0);
  EXPECT_EQ(sender->publish(topic, text_message("over")), kNotAuthorized);
  const auto nack = next_on(*sender, "u/" + a.uid() + "/ev");
  ASSERT_TRUE(nack.has_value()) << limited.log();
  EXPECT_EQ(json::parse(nack->payload)["error"], "rate_limited");
  EXPECT_EQ(json::parse(nack->payload)["id"], "over");
}

// ---- loading -------------------------------------------------------------------------

TEST_F(AuthPluginTest, RefusesToLoadWithBadOptionsListingEveryProblem) {
  AuthPluginSettings bad = plugin_settings({{"max_payload_bytes", "huge"}, {"no_such_option", "1"}});
  bad.service_username = "bridge";           // could be a user's name
  bad.service_password_hash = "plain text";  // not a hash
  try {
    MosquittoBroker broken(MosquittoOptions{.auth_plugin = bad});
    FAIL() << "the broker started with bad plugin options";
  } catch (const std::runtime_error& error) {
    const std::string log = error.what();
    for (const char* problem :
         {"refusing to load: 4 problem(s)", "plugin_opt_no_such_option", "plugin_opt_service_username",
          "plugin_opt_service_password_hash", "plugin_opt_max_payload_bytes"}) {
      EXPECT_NE(log.find(problem), std::string::npos) << problem << "\n" << log;
    }
  }
}

TEST_F(AuthPluginTest, RefusesToLoadWithoutItsRequiredOptions) {
  AuthPluginSettings missing = plugin_settings();
  missing.jwt_secret = "short";
  try {
    MosquittoBroker broken(MosquittoOptions{.auth_plugin = missing});
    FAIL() << "the broker started with a short token secret";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("jwt_secret_file"), std::string::npos) << error.what();
  }
}

// ---- TLS -------------------------------------------------------------------------------

TEST_F(AuthPluginTest, TlsListenerSignsInWithATokenOverTls) {
  const auto a = make_user();
  const std::string port = std::to_string(broker().tls_port());
  const std::string ca = broker().tls_ca_file().string();
  const std::string topic = "presence/" + a.uid();
  auto bridge = connect_service("bridge-tls");
  ASSERT_EQ(bridge->publish(topic, R"({"online":true})", 1, true), 0);
  for (const char* host : {"127.0.0.1", "localhost"}) {
    const auto out = run_command({"mosquitto_sub", "-h", host, "-p", port, "--cafile", ca, "-i", a.client_id(), "-u",
                                  a.name, "-P", a.token(), "-t", topic, "-C", "1", "-W", "5"});
    EXPECT_EQ(out.exit_code, 0) << out.output;
    EXPECT_EQ(out.output, "{\"online\":true}\n") << host;
  }
  const auto refused = run_command({"mosquitto_sub", "-h", "127.0.0.1", "-p", port, "--cafile", ca, "-i", a.client_id(),
                                    "-u", a.name, "-P", "wrong", "-t", topic, "-C", "1", "-W", "2"});
  EXPECT_NE(refused.exit_code, 0) << "TLS does not replace sign-in";
  const auto plain = run_command({"mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-i", a.client_id(), "-u", a.name,
                                  "-P", a.token(), "-t", topic, "-C", "1", "-W", "1"});
  EXPECT_NE(plain.exit_code, 0) << "the TLS port speaks TLS only";
}

}  // namespace
}  // namespace chat::testing
