#pragma once
// Sign-in (MQTT CONNECT) decisions, without mosquitto: who may connect with
// which username, password or token and client id (docs/protocol.md,
// section 1; docs/auth-plugin.md "Sign-in").
//
//   service account  username = service_username, password checked against
//                    service_password_hash; any client id that is not a user's
//   token            password of JWT shape: HS256 under the shared secret,
//                    usr = the username, sub = the uid of the client id; no
//                    database query
//   password         remembered (PasswordCache), or the answer of a check
//                    filed by an earlier try (PasswordVerifier), or else: one
//                    lookup budget token and one database query; an unknown
//                    user ends there; for a known one a PBKDF2 check is filed
//                    with the verifier's threads, paid from the PBKDF2 budget
//                    by the hash's cost and from the account's own budget
//                    (one check), and the answer is `retry`: the client's
//                    next try finds the verdict
// PBKDF2 never runs on the caller's thread (the broker's). When a budget is
// spent or a check is under way the answer is `retry` ("server unavailable":
// try again), never a refusal a client would show as a wrong password. The
// service account has a PBKDF2 budget of its own and is remembered for the
// process's lifetime once verified: no flood of other sign-ins can keep the
// bridge out.
// Users must also have a `{uid}:{device}` client id with their own uid, must
// not be disabled or deleted, and are refused while the cache is not loaded.
#include "account_check_budgets.hpp"
#include "auth_cache.hpp"
#include "options.hpp"
#include "password_cache.hpp"
#include "password_verifier.hpp"
#include "stats.hpp"
#include "token_bucket.hpp"

#include "chat/storage/auth.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::auth {

// The one database question of a password sign-in. Throws on database errors.
class CredentialLookup {
 public:
  virtual ~CredentialLookup() = default;
  virtual std::optional<storage::UserCredentials> find(std::string_view username) = 0;
};

struct SignInRequest {
  const char* username = nullptr;  // null: none given
  const char* password = nullptr;
  const char* client_id = nullptr;
};

// The `retry` reason when a checking thread held the verifier's lock for a
// moment (the broker's thread never waits for it): try again at once.
inline constexpr std::string_view kPasswordChecksBusy = "password checks busy; try again";

struct SignInResult {
  // retry: not checked now (budget spent, database unavailable, cache not
  // loaded); the client should try again shortly.
  enum class Kind { refused, retry, service, token, password, password_cached };
  Kind kind = Kind::refused;
  Uid uid = 0;
  std::string reason;                         // why it was refused
  std::optional<std::string> canonical_name;  // set when the client's username must be replaced by it
  bool ok() const { return kind != Kind::refused && kind != Kind::retry; }
};

class Authenticator {
 public:
  Authenticator(const Options& options, const AuthCache& cache, CredentialLookup& lookup, PasswordVerifier& verifier,
                Stats& stats, std::int64_t now_ns);

  SignInResult sign_in(const SignInRequest& request, std::int64_t now_s, std::int64_t now_ns);

  void forget_password(Uid uid, std::string_view username);
  // Every user's remembered password (not the service's: it comes from the options).
  void forget_all_passwords() {
    passwords_.clear();
    verifier_.forget_all();
  }
  std::size_t remembered_passwords() const { return passwords_.size(); }

 private:
  SignInResult decide(const SignInRequest& request, std::int64_t now_s, std::int64_t now_ns);
  SignInResult service(std::string_view client_id, std::string_view password, std::int64_t now_s, std::int64_t now_ns);
  SignInResult user_password(const std::string& username, Uid client_uid, std::string_view password, std::int64_t now_s,
                             std::int64_t now_ns);
  SignInResult account_checks_spent();  // counts it; a `retry`
  double password_check_cost(std::string_view hash) const;
  // Files a check that the client's next try will find; always a `retry`.
  // `accounts`: the per-account budgets that must pay too (null: the service).
  SignInResult file_check(TokenBucket& budget, AccountCheckBudgets* accounts, std::string_view username,
                          std::string_view password, const std::string& hash, Uid uid, std::int64_t now_ns);

  const Options& options_;
  const AuthCache& cache_;
  CredentialLookup& lookup_;
  PasswordVerifier& verifier_;
  Stats& stats_;
  PasswordCache passwords_;
  PasswordCache service_password_;  // one entry, never expires, never evicted by users
  TokenBucket password_checks_;
  TokenBucket password_lookups_;
  TokenBucket service_checks_;
  AccountCheckBudgets account_checks_;
};

}  // namespace chat::auth
