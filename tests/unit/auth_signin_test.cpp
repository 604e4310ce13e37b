// Sign-in decisions with a fake database: tokens, passwords (remembered or
// verified once), the service account, disabled users, client ids of other
// users, unsafe names, the PBKDF2 budget, and the checks' threads (a
// password is verified off the caller's thread; the client's retry finds the
// answer).
#include "chat/credentials/password.hpp"
#include "chat/credentials/token.hpp"
#include "held_verifier_lock.hpp"
#include "signin.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace chat::auth {
namespace {

const std::string kSecret(48, 's');
constexpr std::int64_t kNow = 1763700000;
constexpr std::int64_t kSecond = 1'000'000'000;

class FakeLookup final : public CredentialLookup {
 public:
  std::map<std::string, storage::UserCredentials> users;
  int queries = 0;
  bool fail = false;
  std::optional<storage::UserCredentials> find(std::string_view username) override {
    ++queries;
    if (fail) throw std::runtime_error("database down");
    const auto it = users.find(std::string(username));
    if (it == users.end()) return std::nullopt;
    return it->second;
  }
};

// Holds the verifier's threads inside their check until opened (or until the
// test ends), so a test can look at the sign-in while a check is under way.
class Gate {
 public:
  ~Gate() { open(); }
  void open() {
    {
      const std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  void pass() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
  }
  bool wait_for_waiter(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return waiting_ > 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
  int waiting_ = 0;
};

class SignInTest : public ::testing::Test {
 protected:
  SignInTest() {
    options.jwt_secret = kSecret;
    options.service_username = "svc-bridge";
    options.service_password_hash = credentials::hash_password("service-pw", 1000);
    options.password_checks_per_s = 1000;
    options.password_checks_burst = 1000;
    lookup.users["alice"] = {42, credentials::hash_password("alice-pw", 1000), false};
    lookup.users["bob"] = {43, credentials::hash_password("bob-pw", 1000), false};
    lookup.users["carol"] = {44, std::nullopt, false};
    lookup.users["dave"] = {45, credentials::hash_password("dave-pw", 1000), true};
    cache.load({.refused_users = {{45, "dave"}, {46, "erin"}}, .token_floors = {{47, kNow - 100}}});
    lookup.users["fred"] = {47, credentials::hash_password("fred-pw", 1000), false};
  }

  void build() {
    if (authenticator) return;
    verifier.emplace(1, max_checks, verify);
    authenticator.emplace(options, cache, lookup, *verifier, stats, 0);
  }
  // One CONNECT's answer, as it is.
  SignInResult one_try(const char* username, const std::string& password, const char* client_id,
                       std::int64_t now = kNow) {
    build();
    return authenticator->sign_in({username, password.c_str(), client_id}, now, now * kSecond);
  }
  // One CONNECT's answer when no verifier thread holds the verifier's lock:
  // a try that met it held for a moment ("busy": the broker's thread never
  // waits for it) is made again, so that the tests read the sign-in's rules,
  // not the scheduler's timing. A lock held for good still answers "busy".
  SignInResult try_sign_in(const char* username, const std::string& password, const char* client_id,
                           std::int64_t now = kNow) {
    auto result = one_try(username, password, client_id, now);
    for (int tries = 0; tries < 10000 && result.reason == kPasswordChecksBusy; ++tries) {
      std::this_thread::yield();
      result = one_try(username, password, client_id, now);
    }
    return result;
  }
  // What a client gets in the end: a password check filed by its first try
  // is answered on its retry, once the verifier's thread is done.
  SignInResult sign_in(const char* username, const std::string& password, const char* client_id,
                       std::int64_t now = kNow) {
    auto result = try_sign_in(username, password, client_id, now);
    if (result.kind == SignInResult::Kind::retry && result.reason.find("being verified") != std::string::npos) {
      EXPECT_TRUE(verifier->wait_idle(std::chrono::seconds(10)));
      result = try_sign_in(username, password, client_id, now);
    }
    return result;
  }
  std::string token(std::int64_t uid, const std::string& username, std::int64_t ttl = 3600) {
    return credentials::mint_token(kSecret, uid, username, kNow - 10, kNow + ttl);
  }

  Options options;
  AuthCache cache;
  FakeLookup lookup;
  Stats stats;
  PasswordVerifier::Verify verify = [](std::string_view password, std::string_view hash) {
    return credentials::verify_password(password, hash);
  };
  std::size_t max_checks = 1024;
  std::optional<PasswordVerifier> verifier;
  Gate gate;  // after the verifier: opened before the verifier's threads are joined
  std::optional<Authenticator> authenticator;
};

TEST_F(SignInTest, TokenSignInNeedsNoDatabase) {
  const auto result = sign_in("alice", token(42, "alice"), "42:phone");
  EXPECT_EQ(result.kind, SignInResult::Kind::token) << result.reason;
  EXPECT_EQ(result.uid, 42);
  EXPECT_EQ(lookup.queries, 0);
  EXPECT_EQ(stats.signin_token, 1u);
}

TEST_F(SignInTest, TokenMustMatchUsernameAndClientId) {
  EXPECT_FALSE(sign_in("bob", token(42, "alice"), "42:phone").ok()) << "another username";
  EXPECT_FALSE(sign_in("alice", token(42, "alice"), "43:phone").ok()) << "session takeover";
  EXPECT_FALSE(sign_in("alice", token(42, "alice"), "42").ok());
  EXPECT_FALSE(sign_in("alice", token(42, "alice"), "42:").ok());
  EXPECT_FALSE(sign_in("alice", token(42, "alice", -1), "42:phone").ok()) << "expired";
  EXPECT_FALSE(
      sign_in("alice", credentials::mint_token(std::string(48, 'x'), 42, "alice", kNow, kNow + 60), "42:phone").ok())
      << "wrong key";
  EXPECT_EQ(stats.signin_refused, 6u);
  EXPECT_EQ(lookup.queries, 0) << "a bad token never reaches the database";
}

TEST_F(SignInTest, DisabledOrDeletedUsersAreRefused) {
  EXPECT_FALSE(sign_in("dave", token(45, "dave"), "45:phone").ok());
  EXPECT_FALSE(sign_in("erin", token(46, "erin"), "46:phone").ok()) << "deleted";
  EXPECT_FALSE(sign_in("dave", "dave-pw", "45:phone").ok());
}

TEST_F(SignInTest, NothingIsAcceptedBeforeTheCacheIsLoaded) {
  AuthCache empty;
  PasswordVerifier checks(1);
  Authenticator fresh(options, empty, lookup, checks, stats, 0);
  const std::string t = token(42, "alice");
  const auto result = fresh.sign_in({"alice", t.c_str(), "42:phone"}, kNow, 0);
  EXPECT_FALSE(result.ok());
  EXPECT_NE(result.reason.find("not loaded"), std::string::npos);
}

TEST_F(SignInTest, PasswordIsVerifiedOnceThenRemembered) {
  EXPECT_EQ(sign_in("alice", "alice-pw", "42:phone").kind, SignInResult::Kind::password);
  EXPECT_EQ(lookup.queries, 1);
  EXPECT_EQ(sign_in("alice", "alice-pw", "42:laptop").kind, SignInResult::Kind::password_cached);
  EXPECT_EQ(lookup.queries, 1) << "a remembered password needs no query";
  EXPECT_FALSE(sign_in("alice", "wrong", "42:phone").ok());
  EXPECT_EQ(lookup.queries, 2) << "a different password is checked again";
  EXPECT_EQ(sign_in("alice", "alice-pw", "42:phone", kNow + 1000).kind, SignInResult::Kind::password)
      << "remembered passwords expire";
  authenticator->forget_password(42, "alice");
  EXPECT_EQ(sign_in("alice", "alice-pw", "42:phone", kNow + 1001).kind, SignInResult::Kind::password);
}

TEST_F(SignInTest, RememberedPasswordStillChecksClientIdAndDisabled) {
  ASSERT_TRUE(sign_in("alice", "alice-pw", "42:phone").ok());
  EXPECT_FALSE(sign_in("alice", "alice-pw", "43:phone").ok()) << "session takeover";
  cache.apply({{AuthChange{AuthChange::Kind::user_refused, 0, 42, "alice"}, {}}});
  EXPECT_FALSE(sign_in("alice", "alice-pw", "42:phone").ok());
}

TEST_F(SignInTest, PasswordRefusals) {
  EXPECT_FALSE(sign_in("alice", "bob-pw", "42:phone").ok());
  EXPECT_FALSE(sign_in("bob", "bob-pw", "42:phone").ok()) << "client id of another user";
  EXPECT_FALSE(sign_in("zed", "pw", "47:phone").ok()) << "unknown user";
  EXPECT_FALSE(sign_in("carol", "anything", "44:phone").ok()) << "no password set";
  EXPECT_FALSE(sign_in("alice", "", "42:phone").ok());
  lookup.fail = true;
  const auto down = sign_in("bob", "bob-pw", "43:phone");
  EXPECT_FALSE(down.ok());
  EXPECT_NE(down.reason.find("unavailable"), std::string::npos);
}

TEST_F(SignInTest, SqlLookingNamesNeverReachTheDatabase) {
  for (const char* name : {"alice' OR '1'='1", "alice'--", "'; DROP TABLE users; --", "alice\"", "a;b"}) {
    EXPECT_FALSE(sign_in(name, "x' OR '1'='1", "42:phone").ok()) << name;
  }
  EXPECT_EQ(lookup.queries, 0);
  EXPECT_FALSE(sign_in("alice", "' OR '1'='1", "42:phone").ok()) << "an SQL-looking password is just wrong";
}

TEST_F(SignInTest, UsernamesAreFolded) {
  const auto result = sign_in("Alice", "alice-pw", "42:phone");
  EXPECT_TRUE(result.ok()) << result.reason;
  EXPECT_EQ(result.canonical_name, "alice");
  EXPECT_FALSE(sign_in("alice", "alice-pw", "42:phone").canonical_name.has_value());
}

TEST_F(SignInTest, WildcardsSlashesAndControlCharactersAreRefused) {
  for (const char* name : {"al+ce", "al#ce", "al/ce", "#", "+", "a\tb"}) {
    EXPECT_FALSE(sign_in(name, token(42, name), "42:phone").ok()) << name;
  }
  for (const char* id : {"42:ph/one", "42:+", "42:#", "+", "#", "42/phone", "42:ph\none"}) {
    EXPECT_FALSE(sign_in("alice", token(42, "alice"), id).ok()) << id;
  }
  EXPECT_FALSE(sign_in(nullptr, "x", "42:phone").ok());
  EXPECT_FALSE(sign_in("alice", token(42, "alice"), nullptr).ok());
}

TEST_F(SignInTest, ServiceAccount) {
  EXPECT_EQ(sign_in("svc-bridge", "service-pw", "bridge-1").kind, SignInResult::Kind::service);
  EXPECT_EQ(sign_in("svc-bridge", "service-pw", "bridge-2").kind, SignInResult::Kind::service);
  EXPECT_FALSE(sign_in("svc-bridge", "wrong", "bridge-1").ok());
  EXPECT_FALSE(sign_in("svc-bridge", "service-pw", "42:phone").ok()) << "no user's client id";
  EXPECT_FALSE(sign_in("svc-bridge", token(42, "svc-bridge"), "bridge-1").ok()) << "no token for the service";
  EXPECT_EQ(lookup.queries, 0);
}

// Issue #13, item 9: a password change (or disabling, re-enabling, an
// explicit revocation) voids the tokens issued before it.
TEST_F(SignInTest, TokensIssuedBeforeARevocationAreRefused) {
  const auto revoked = sign_in("fred", credentials::mint_token(kSecret, 47, "fred", kNow - 101, kNow + 60), "47:phone");
  EXPECT_EQ(revoked.kind, SignInResult::Kind::refused);
  EXPECT_EQ(revoked.reason, "token revoked");
  EXPECT_EQ(sign_in("fred", credentials::mint_token(kSecret, 47, "fred", kNow - 100, kNow + 60), "47:phone").kind,
            SignInResult::Kind::token)
      << "issued in the second of the revocation: valid (a client can use a token minted right after)";
  cache.apply({{{AuthChange::Kind::tokens_revoked, 0, 47, "", kNow - 10}, {}}});
  EXPECT_FALSE(sign_in("fred", credentials::mint_token(kSecret, 47, "fred", kNow - 50, kNow + 60), "47:phone").ok())
      << "a revocation heard later";
  EXPECT_TRUE(sign_in("alice", token(42, "alice"), "42:phone").ok()) << "other users are not affected";
}

TEST_F(SignInTest, TokenLifetimeIsCapped) {
  options.max_token_lifetime_s = 30 * 86400;
  EXPECT_TRUE(
      sign_in("alice", credentials::mint_token(kSecret, 42, "alice", kNow, kNow + 30 * 86400), "42:phone").ok());
  const auto year =
      sign_in("alice", credentials::mint_token(kSecret, 42, "alice", kNow, kNow + 365 * 86400), "42:phone");
  EXPECT_FALSE(year.ok());
  EXPECT_NE(year.reason.find("lifetime"), std::string::npos);
  EXPECT_FALSE(
      sign_in("alice", credentials::mint_token(kSecret, 42, "alice", kNow + 3600, kNow + 7200), "42:phone").ok())
      << "issued in the future: would outlive every revocation";
}

// The test hashes have 1 000 iterations: each check costs 1/210 of a default one.
constexpr double kTestCheck = 1000.0 / credentials::kDefaultPbkdf2Iterations;

TEST_F(SignInTest, PasswordChecksAreBudgetedByTheirCost) {
  options.password_checks_per_s = kTestCheck;
  options.password_checks_burst = 2 * kTestCheck;
  EXPECT_TRUE(sign_in("alice", "alice-pw", "42:phone").ok());
  EXPECT_TRUE(sign_in("bob", "bob-pw", "43:phone").ok());
  const auto throttled = sign_in("alice", "wrong", "42:phone");
  EXPECT_FALSE(throttled.ok());
  EXPECT_NE(throttled.reason.find("too many"), std::string::npos);
  EXPECT_TRUE(sign_in("alice", "alice-pw", "42:phone").ok()) << "remembered passwords need no budget";
  EXPECT_TRUE(sign_in("alice", token(42, "alice"), "42:phone").ok()) << "tokens need no budget";
  EXPECT_EQ(sign_in("alice", "wrong", "42:phone", kNow + 2).kind, SignInResult::Kind::refused);
  EXPECT_EQ(stats.password_throttled, 1u);
}

// Issue #13, item 14: a correct password refused for lack of budget must not
// look like a wrong one (CONNACK 5 makes clients show "wrong password").
TEST_F(SignInTest, ASpentBudgetAsksTheClientToRetryNotToGiveUp) {
  options.password_checks_per_s = kTestCheck;
  options.password_checks_burst = kTestCheck;
  EXPECT_TRUE(sign_in("alice", "alice-pw", "42:phone").ok());
  const auto retries = stats.signin_retry;
  const auto busy = sign_in("bob", "bob-pw", "43:phone");
  EXPECT_EQ(busy.kind, SignInResult::Kind::retry) << busy.reason;
  EXPECT_EQ(stats.signin_retry, retries + 1);
  EXPECT_EQ(sign_in("bob", "bob-pw", "43:phone", kNow + 2).kind, SignInResult::Kind::password) << "and it works later";
  lookup.fail = true;
  EXPECT_EQ(sign_in("bob", "other", "43:phone", kNow + 4).kind, SignInResult::Kind::retry) << "database down";
  AuthCache empty;
  PasswordVerifier checks(1);
  Authenticator before_load(options, empty, lookup, checks, stats, 0);
  EXPECT_EQ(before_load.sign_in({"alice", "alice-pw", "42:phone"}, kNow, kNow * kSecond).kind,
            SignInResult::Kind::retry)
      << "cache not loaded yet";
}

// The ordinary case at the default budget: a hundred users with cheap hashes
// sign in together and none is turned away.
TEST_F(SignInTest, AHundredUsersSignInTogetherWithTheDefaultBudget) {
  options.password_checks_per_s = Options{}.password_checks_per_s;
  options.password_checks_burst = Options{}.password_checks_burst;
  for (int i = 0; i < 100; ++i) {
    lookup.users["user" + std::to_string(i)] = {1000 + i, credentials::hash_password("pw" + std::to_string(i), 1000),
                                                false};
  }
  for (int i = 0; i < 100; ++i) {
    const std::string client = std::to_string(1000 + i) + ":phone";
    const auto result = sign_in(("user" + std::to_string(i)).c_str(), "pw" + std::to_string(i), client.c_str());
    EXPECT_EQ(result.kind, SignInResult::Kind::password) << i << ": " << result.reason;
  }
}

// Issue #13, item 4: unknown usernames cost a lookup, never a PBKDF2 check a
// real user needs.
TEST_F(SignInTest, UnknownUsersSpendNoPasswordCheck) {
  options.password_checks_per_s = kTestCheck / 1000;
  options.password_checks_burst = kTestCheck;
  for (int i = 0; i < 50; ++i) {
    const auto result = sign_in(("nobody" + std::to_string(i)).c_str(), "guess", "77:phone");
    EXPECT_EQ(result.kind, SignInResult::Kind::refused) << i;
  }
  EXPECT_EQ(sign_in("alice", "alice-pw", "42:phone").kind, SignInResult::Kind::password);
}

TEST_F(SignInTest, LookupsHaveABudgetOfTheirOwn) {
  options.password_lookups_per_s = 1;
  options.password_lookups_burst = 2;
  EXPECT_EQ(sign_in("nobody1", "guess", "77:phone").kind, SignInResult::Kind::refused);
  EXPECT_EQ(sign_in("nobody2", "guess", "77:phone").kind, SignInResult::Kind::refused);
  EXPECT_EQ(sign_in("alice", "alice-pw", "42:phone").kind, SignInResult::Kind::retry);
  EXPECT_EQ(lookup.queries, 2);
  EXPECT_EQ(sign_in("alice", "alice-pw", "42:phone", kNow + 1).kind, SignInResult::Kind::password);
}

// Issue #13, item 4: no flood of user sign-ins keeps the bridge out.
TEST_F(SignInTest, TheServiceAccountAlwaysGetsIn) {
  options.password_checks_per_s = kTestCheck / 1000;
  options.password_checks_burst = kTestCheck;
  options.password_lookups_per_s = 1;
  options.password_lookups_burst = 1;
  options.password_cache_size = 2;
  EXPECT_TRUE(sign_in("alice", "alice-pw", "42:phone").ok());
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(sign_in("bob", "bob-pw", "43:phone").ok()) << "users' budgets are spent";
  EXPECT_EQ(sign_in("svc-bridge", "service-pw", "bridge-1").kind, SignInResult::Kind::service);
  // Wrong service passwords spend the service's own budget...
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(sign_in("svc-bridge", "guess", "bridge-x").ok());
  // ...and cannot push the verified one out, nor can users' remembered passwords.
  for (const char* name : {"alice", "bob"}) sign_in(name, std::string(name) + "-pw", "1:x", kNow + 10);
  EXPECT_EQ(sign_in("svc-bridge", "service-pw", "bridge-1", kNow + 100000).kind, SignInResult::Kind::service);
}

// Issue #13, item 14: PBKDF2 never runs on the broker's thread. The first
// try files the check and is told to try again at once, whatever the check
// takes; the retry finds the verdict.
TEST_F(SignInTest, PasswordChecksRunOffTheCallersThread) {
  std::atomic<std::thread::id> checked_on{};
  verify = [&](std::string_view password, std::string_view hash) {
    checked_on = std::this_thread::get_id();
    gate.pass();
    return credentials::verify_password(password, hash);
  };
  const auto first = try_sign_in("alice", "alice-pw", "42:phone");
  EXPECT_EQ(first.kind, SignInResult::Kind::retry) << first.reason;
  ASSERT_TRUE(gate.wait_for_waiter(std::chrono::seconds(10))) << "the check runs on the verifier's thread";
  EXPECT_NE(checked_on.load(), std::this_thread::get_id());
  const auto meanwhile = try_sign_in("alice", "alice-pw", "42:phone");
  EXPECT_EQ(meanwhile.kind, SignInResult::Kind::retry) << "still under way: try again, without waiting";
  EXPECT_NE(meanwhile.reason.find("being verified"), std::string::npos) << meanwhile.reason;
  gate.open();
  ASSERT_TRUE(verifier->wait_idle(std::chrono::seconds(10)));
  EXPECT_EQ(try_sign_in("alice", "alice-pw", "42:phone").kind, SignInResult::Kind::password);
  EXPECT_EQ(try_sign_in("alice", "alice-pw", "42:laptop").kind, SignInResult::Kind::password_cached);
  const auto wrong = try_sign_in("alice", "wrong", "42:phone");
  EXPECT_EQ(wrong.kind, SignInResult::Kind::retry);
  ASSERT_TRUE(verifier->wait_idle(std::chrono::seconds(10)));
  EXPECT_EQ(try_sign_in("alice", "wrong", "42:phone").kind, SignInResult::Kind::refused)
      << "a wrong password is refused on the retry";
  EXPECT_EQ(stats.password_checks_filed, 2u);
}

// A checking thread runs at idle priority and may be preempted while it holds
// the verifier's lock: the sign-in does not wait for it, it asks the client
// to try again and spends nothing.
TEST_F(SignInTest, ABusyVerifierAsksToRetryWithoutWaiting) {
  build();
  {
    HeldVerifierLock held(*verifier);
    const auto busy = one_try("alice", "alice-pw", "42:phone");
    EXPECT_EQ(busy.kind, SignInResult::Kind::retry);
    EXPECT_NE(busy.reason.find("busy"), std::string::npos) << busy.reason;
    EXPECT_EQ(one_try("svc-bridge", "service-pw", "bridge-1").kind, SignInResult::Kind::retry);
  }
  EXPECT_EQ(lookup.queries, 0) << "no lookup, no budget: nothing was filed";
  EXPECT_EQ(stats.password_checks_filed, 0u);
  EXPECT_EQ(sign_in("alice", "alice-pw", "42:phone").kind, SignInResult::Kind::password);
}

// Retries and a flood repeating one guess file one check, paid once.
TEST_F(SignInTest, OnePasswordCheckPerUsernameAndPassword) {
  std::atomic<int> checks{0};
  verify = [&](std::string_view password, std::string_view hash) {
    ++checks;
    gate.pass();
    return credentials::verify_password(password, hash);
  };
  options.password_checks_per_s = kTestCheck / 1000;
  options.password_checks_burst = kTestCheck;  // one check's worth
  for (int i = 0; i < 20; ++i) EXPECT_EQ(try_sign_in("alice", "guess", "42:phone").kind, SignInResult::Kind::retry);
  ASSERT_TRUE(gate.wait_for_waiter(std::chrono::seconds(10)));
  gate.open();
  ASSERT_TRUE(verifier->wait_idle(std::chrono::seconds(10)));
  EXPECT_EQ(checks.load(), 1);
  EXPECT_EQ(stats.password_checks_filed, 1u);
  EXPECT_EQ(stats.password_throttled, 0u) << "the repeats spent no budget";
  EXPECT_EQ(try_sign_in("alice", "guess", "42:phone").kind, SignInResult::Kind::refused);
}

// A password change while the old password's check runs: its verdict is
// void, the retry checks against the new hash.
TEST_F(SignInTest, APasswordChangeVoidsTheCheckUnderWay) {
  verify = [&](std::string_view password, std::string_view hash) {
    gate.pass();
    return credentials::verify_password(password, hash);
  };
  EXPECT_EQ(try_sign_in("alice", "alice-pw", "42:phone").kind, SignInResult::Kind::retry);
  ASSERT_TRUE(gate.wait_for_waiter(std::chrono::seconds(10)));
  lookup.users["alice"].password_hash = credentials::hash_password("new-pw", 1000);
  authenticator->forget_password(42, "alice");
  gate.open();
  ASSERT_TRUE(verifier->wait_idle(std::chrono::seconds(10)));
  EXPECT_EQ(sign_in("alice", "alice-pw", "42:phone").kind, SignInResult::Kind::refused) << "the old password";
  EXPECT_EQ(sign_in("alice", "new-pw", "42:phone").kind, SignInResult::Kind::password);
}

// The queue is bounded; a full queue answers "try again" and spends no budget.
TEST_F(SignInTest, AFullCheckQueueAsksToRetryWithoutSpendingBudget) {
  max_checks = 2;
  verify = [&](std::string_view password, std::string_view hash) {
    gate.pass();
    return credentials::verify_password(password, hash);
  };
  EXPECT_EQ(try_sign_in("alice", "alice-pw", "42:phone").kind, SignInResult::Kind::retry);
  EXPECT_EQ(try_sign_in("bob", "bob-pw", "43:phone").kind, SignInResult::Kind::retry);
  const auto full = try_sign_in("fred", "fred-pw", "47:phone");
  EXPECT_EQ(full.kind, SignInResult::Kind::retry);
  EXPECT_NE(full.reason.find("queued"), std::string::npos) << full.reason;
  EXPECT_EQ(stats.password_checks_filed, 2u);
  gate.open();
  ASSERT_TRUE(verifier->wait_idle(std::chrono::seconds(10)));
  EXPECT_EQ(sign_in("fred", "fred-pw", "47:phone").kind, SignInResult::Kind::password)
      << "unclaimed answers make room for new checks";
  EXPECT_EQ(try_sign_in("bob", "bob-pw", "43:phone").kind, SignInResult::Kind::retry)
      << "bob's answer was dropped for fred's check: bob's next try checks again";
}

// Issue #13: guesses at one account spend that account's own budget (burst,
// then per minute), not the whole global one: the account is told to retry,
// never refused, while another account still gets its check filed. Repeats
// of a guess under check cost nothing.
TEST_F(SignInTest, OneAccountsSpentCheckBudgetLeavesOthersTheirs) {
  options.password_checks_per_user_burst = 3;
  options.password_checks_per_user_per_min = 10;  // one every 6 s
  verify = [&](std::string_view password, std::string_view hash) {
    gate.pass();
    return credentials::verify_password(password, hash);
  };
  for (int guess = 0; guess < 3; ++guess) {
    const auto filed = try_sign_in("alice", "guess" + std::to_string(guess), "42:phone");
    EXPECT_NE(filed.reason.find("being verified"), std::string::npos) << guess << ": " << filed.reason;
  }
  ASSERT_TRUE(gate.wait_for_waiter(std::chrono::seconds(10)));
  for (int guess = 0; guess < 3; ++guess) {
    const auto repeat = try_sign_in("alice", "guess" + std::to_string(guess), "42:phone");
    EXPECT_NE(repeat.reason.find("being verified"), std::string::npos) << "a repeat costs nothing: " << repeat.reason;
  }
  const int queries = lookup.queries;
  const auto spent = try_sign_in("alice", "alice-pw", "42:phone");
  EXPECT_EQ(spent.kind, SignInResult::Kind::retry) << "even the right password: try again, not refused";
  EXPECT_NE(spent.reason.find("for this account"), std::string::npos) << spent.reason;
  EXPECT_EQ(lookup.queries, queries) << "nor a lookup: the flood spends no lookup budget either";
  EXPECT_EQ(stats.password_account_throttled, 1u);
  const auto other = try_sign_in("bob", "bob-pw", "43:phone");
  EXPECT_NE(other.reason.find("being verified"), std::string::npos) << "bob's budget is his own: " << other.reason;
  EXPECT_EQ(stats.password_checks_filed, 4u);
  gate.open();
  ASSERT_TRUE(verifier->wait_idle(std::chrono::seconds(10)));
  EXPECT_EQ(try_sign_in("bob", "bob-pw", "43:phone").kind, SignInResult::Kind::password);
  EXPECT_EQ(try_sign_in("alice", "alice-pw", "42:phone", kNow + 5).kind, SignInResult::Kind::retry)
      << "less than one check refilled";
  EXPECT_EQ(sign_in("alice", "alice-pw", "42:phone", kNow + 7).kind, SignInResult::Kind::password)
      << "one check refilled";
  EXPECT_EQ(stats.password_account_throttled, 2u);
}

// Remembered passwords, tokens and the service account never ask an
// account's check budget, even when it is spent.
TEST_F(SignInTest, RememberedPasswordsTokensAndTheServiceNeedNoAccountBudget) {
  options.password_checks_per_user_burst = 1;
  options.password_checks_per_user_per_min = 1;
  EXPECT_EQ(sign_in("alice", "alice-pw", "42:phone").kind, SignInResult::Kind::password);
  EXPECT_EQ(try_sign_in("alice", "wrong", "42:phone").kind, SignInResult::Kind::retry);
  EXPECT_EQ(stats.password_account_throttled, 1u) << "alice's one check is spent";
  EXPECT_EQ(try_sign_in("alice", "alice-pw", "42:laptop").kind, SignInResult::Kind::password_cached);
  EXPECT_EQ(try_sign_in("alice", token(42, "alice"), "42:tablet").kind, SignInResult::Kind::token);
  for (const char* guess : {"svc-guess-1", "svc-guess-2"}) try_sign_in("svc-bridge", guess, "bridge-x");
  EXPECT_EQ(sign_in("svc-bridge", "service-pw", "bridge-1", kNow + 10).kind, SignInResult::Kind::service);
  EXPECT_EQ(stats.password_account_throttled, 1u);
}

// The two budgets are spent together or not at all: a check the global
// budget refuses costs the account nothing, and one the account refuses
// costs the global budget nothing.
TEST_F(SignInTest, AccountAndGlobalBudgetsAreSpentTogether) {
  options.password_checks_per_s = kTestCheck / 10;  // one check every 10 s
  options.password_checks_burst = kTestCheck;
  options.password_checks_per_user_burst = 2;
  options.password_checks_per_user_per_min = 0.1;  // practically none refilled within the test
  EXPECT_EQ(sign_in("alice", "guess1", "42:phone").kind, SignInResult::Kind::refused);
  const auto global = try_sign_in("alice", "guess2", "42:phone");
  EXPECT_NE(global.reason.find("at once"), std::string::npos) << global.reason;
  EXPECT_EQ(sign_in("alice", "guess2", "42:phone", kNow + 11).kind, SignInResult::Kind::refused)
      << "the global refusal did not spend alice's second check";
  const auto account = try_sign_in("alice", "guess3", "42:phone", kNow + 22);
  EXPECT_NE(account.reason.find("for this account"), std::string::npos) << account.reason;
  EXPECT_EQ(sign_in("bob", "bob-pw", "43:phone", kNow + 22).kind, SignInResult::Kind::password)
      << "alice's refusal did not spend the global check bob needs";
}

}  // namespace
}  // namespace chat::auth
