#include "signin.hpp"

#include "chat/credentials/password.hpp"
#include "chat/credentials/token.hpp"
#include "identity.hpp"

#include <algorithm>
#include <cstring>

namespace chat::auth {
namespace {

SignInResult refused(std::string reason) {
  SignInResult result;
  result.reason = std::move(reason);
  return result;
}

SignInResult retry(std::string reason) {
  SignInResult result;
  result.kind = SignInResult::Kind::retry;
  result.reason = std::move(reason);
  return result;
}

// What verifying `hash` costs, in verifications of the default cost.
double check_cost(std::string_view hash) {
  const auto parsed = credentials::parse_password_hash(hash);
  if (!parsed) return 1.0;  // verify_password refuses it at once; charge it as usual anyway
  return static_cast<double>(parsed->iterations) / credentials::kDefaultPbkdf2Iterations;
}

// A token's iat may lie this far ahead of the broker's clock (the minting
// host's clock runs ahead); further, it would outlive every revocation.
constexpr std::int64_t kTokenClockSkewS = 300;

// The service account's verified password is kept for the process's lifetime.
constexpr std::int64_t kServiceMemoryS = std::int64_t{100} * 365 * 86400;
// Its own PBKDF2 budget: a flood aimed at its username spends only this.
constexpr double kServiceChecksPerS = 1;
constexpr double kServiceChecksBurst = 2;

// Accounts whose own check budget is kept (account_check_budgets.hpp): a
// constant, not an option, because the global budget already bounds how many
// can be in use (1 300 at the defaults); 100 000 leaves room for cheap
// (legacy) hashes, whose checks cost the global budget less, at ~100 bytes
// each (10 MB at most).
constexpr std::size_t kMaxAccountCheckBudgets = 100000;

SignInResult accepted(SignInResult::Kind kind, Uid uid) {
  SignInResult result;
  result.kind = kind;
  result.uid = uid;
  return result;
}

}  // namespace

Authenticator::Authenticator(const Options& options, const AuthCache& cache, CredentialLookup& lookup,
                             PasswordVerifier& verifier, Stats& stats, std::int64_t now_ns)
    : options_(options),
      cache_(cache),
      lookup_(lookup),
      verifier_(verifier),
      stats_(stats),
      passwords_(options.password_cache_ttl.count(), options.password_cache_size),
      service_password_(kServiceMemoryS, 1),
      password_checks_(options.password_checks_per_s, options.password_checks_burst, now_ns),
      password_lookups_(options.password_lookups_per_s, options.password_lookups_burst, now_ns),
      service_checks_(kServiceChecksPerS, kServiceChecksBurst, now_ns),
      account_checks_(options.password_checks_per_user_per_min, options.password_checks_per_user_burst,
                      kMaxAccountCheckBudgets) {}

SignInResult Authenticator::account_checks_spent() {
  ++stats_.password_throttled;
  ++stats_.password_account_throttled;
  return retry("too many password checks for this account; try again");
}

double Authenticator::password_check_cost(std::string_view hash) const {
  // A check never costs more than a full bucket, or a costly hash could never be checked.
  return std::min(check_cost(hash), options_.password_checks_burst);
}

SignInResult Authenticator::file_check(TokenBucket& budget, AccountCheckBudgets* accounts, std::string_view username,
                                       std::string_view password, const std::string& hash, Uid uid,
                                       std::int64_t now_ns) {
  // Room first: a full queue must not spend budget it cannot use. A worker
  // holding the verifier's lock for a moment is "busy", not "full".
  switch (verifier_.room()) {
    case PasswordVerifier::Room::free:
      break;
    case PasswordVerifier::Room::full:
      ++stats_.password_throttled;
      return retry("too many password checks queued; try again");
    case PasswordVerifier::Room::busy:  // not counted, as collect()'s busy
      return retry(std::string(kPasswordChecksBusy));
  }
  // Both budgets are asked first and paid once the check is filed: an
  // account at its limit spends none of the global budget, and a check that
  // is not filed spends neither. (Only this thread spends them, so what was
  // there when asked is there to pay.)
  if (accounts != nullptr && !accounts->has_check(uid, now_ns)) return account_checks_spent();
  const double cost = password_check_cost(hash);
  if (!budget.has(now_ns, cost)) {
    ++stats_.password_throttled;
    return retry("too many password checks at once; try again");
  }
  if (!verifier_.submit(username, password, hash, uid)) {
    // There was room a moment ago on this thread (workers only free it):
    // the lock was held, or a voided check of this pair still runs. Nothing
    // was paid; not counted as throttled, as collect()'s busy.
    return retry(std::string(kPasswordChecksBusy));
  }
  budget.try_take(now_ns, cost);
  if (accounts != nullptr) accounts->take_check(uid, now_ns);
  ++stats_.password_checks_filed;
  return retry("password being verified; try again");
}

void Authenticator::forget_password(Uid uid, std::string_view username) {
  passwords_.forget_user(uid);
  passwords_.forget(username);
  verifier_.forget_user(uid);
}

SignInResult Authenticator::sign_in(const SignInRequest& request, std::int64_t now_s, std::int64_t now_ns) {
  SignInResult result = decide(request, now_s, now_ns);
  switch (result.kind) {
    case SignInResult::Kind::refused:
      ++stats_.signin_refused;
      break;
    case SignInResult::Kind::retry:
      ++stats_.signin_retry;
      break;
    case SignInResult::Kind::service:
      ++stats_.signin_service;
      break;
    case SignInResult::Kind::token:
      ++stats_.signin_token;
      break;
    case SignInResult::Kind::password:
      ++stats_.signin_password;
      break;
    case SignInResult::Kind::password_cached:
      ++stats_.signin_password_cached;
      break;
  }
  return result;
}

SignInResult Authenticator::decide(const SignInRequest& request, std::int64_t now_s, std::int64_t now_ns) {
  if (request.username == nullptr) return refused("no username");
  if (request.password == nullptr) return refused("no password");
  if (request.client_id == nullptr) return refused("no client id");
  const std::string_view username(request.username);
  const std::string_view password(request.password, std::strlen(request.password));
  const std::string_view client_id(request.client_id);
  if (!is_safe_identifier(username)) return refused("username holds + # / or control characters");
  if (!is_safe_identifier(client_id)) return refused("client id holds + # / or control characters");

  if (username == options_.service_username) return service(client_id, password, now_s, now_ns);

  const auto name = canonical_username(username);
  if (!name) return refused("not a valid username");
  const auto client = parse_client_id(client_id);
  if (!client) return refused("client id must be {uid}:{device}");
  if (!cache_.ready()) return retry("user cache not loaded yet");

  SignInResult result;
  if (credentials::looks_like_token(password)) {
    const auto check = credentials::verify_token(password, options_.jwt_secret, now_s);
    if (!check.ok()) return refused(std::string(credentials::to_string(check.error)));
    if (check.claims->username != *name) return refused("token was minted for another username");
    if (check.claims->uid != client->uid) return refused("client id belongs to another user");
    if (cache_.is_refused(client->uid)) return refused("user is disabled");
    const credentials::TokenClaims& claims = *check.claims;
    if (claims.issued_at < cache_.tokens_not_before(client->uid)) return refused("token revoked");
    if (claims.issued_at > now_s + kTokenClockSkewS) return refused("token issued in the future");
    if (claims.expires_at - claims.issued_at > options_.max_token_lifetime_s) {
      return refused("token lifetime above the limit of " + std::to_string(options_.max_token_lifetime_s) + " s");
    }
    result = accepted(SignInResult::Kind::token, client->uid);
  } else {
    result = user_password(*name, client->uid, password, now_s, now_ns);
    if (!result.ok()) return result;
  }
  if (*name != username) result.canonical_name = *name;
  return result;
}

SignInResult Authenticator::service(std::string_view client_id, std::string_view password, std::int64_t now_s,
                                    std::int64_t now_ns) {
  // A user's client id would let a user take the service's session over.
  if (parse_client_id(client_id)) return refused("the service account may not use a user's client id");
  if (const auto remembered = service_password_.find(options_.service_username, password, now_s);
      remembered && *remembered == 0) {
    return accepted(SignInResult::Kind::service, 0);
  }
  switch (verifier_.collect(options_.service_username, password).state) {
    case PasswordVerifier::State::verified:
      service_password_.remember(options_.service_username, password, 0, now_s);
      return accepted(SignInResult::Kind::service, 0);
    case PasswordVerifier::State::wrong:
      return refused("wrong service password");
    case PasswordVerifier::State::pending:
      return retry("service password being verified; try again");
    case PasswordVerifier::State::busy:
      return retry(std::string(kPasswordChecksBusy));
    case PasswordVerifier::State::none:
      break;
  }
  // Its own budget is all it has: no account budget (its username is not an account).
  return file_check(service_checks_, nullptr, options_.service_username, password, options_.service_password_hash, 0,
                    now_ns);
}

SignInResult Authenticator::user_password(const std::string& username, Uid client_uid, std::string_view password,
                                          std::int64_t now_s, std::int64_t now_ns) {
  if (const auto remembered = passwords_.find(username, password, now_s)) {
    if (*remembered != client_uid) return refused("client id belongs to another user");
    if (cache_.is_refused(*remembered)) return refused("user is disabled");
    return accepted(SignInResult::Kind::password_cached, *remembered);
  }
  // The answer to a check an earlier try filed. Its uid is the one the
  // lookup found (checked against that try's client id, so checked again).
  const auto answer = verifier_.collect(username, password);
  switch (answer.state) {
    case PasswordVerifier::State::verified:
      if (answer.uid != client_uid) return refused("client id belongs to another user");
      if (cache_.is_refused(answer.uid)) return refused("user is disabled");
      passwords_.remember(username, password, answer.uid, now_s);
      return accepted(SignInResult::Kind::password, answer.uid);
    case PasswordVerifier::State::wrong:
      return refused("unknown user or wrong password");
    case PasswordVerifier::State::pending:
      return retry("password being verified; try again");
    case PasswordVerifier::State::busy:
      return retry(std::string(kPasswordChecksBusy));
    case PasswordVerifier::State::none:
      break;
  }
  // An account at its limit is told so before its lookup: a flood of guesses
  // at one account then spends no lookups that other users need either. (The
  // client id's uid is the account's, or the lookup would refuse the try.)
  if (!account_checks_.has_check(client_uid, now_ns)) return account_checks_spent();
  // The lookup first, on its own budget: an unknown username ends here and
  // costs no PBKDF2 check that a real user needs.
  if (!password_lookups_.try_take(now_ns)) {
    ++stats_.password_throttled;
    return retry("too many password sign-ins at once; try again");
  }
  ++stats_.password_queries;
  std::optional<storage::UserCredentials> user;
  try {
    user = lookup_.find(username);
  } catch (const std::exception& error) {
    ++stats_.password_query_failures;
    return retry(std::string("password check unavailable: ") + error.what());
  }
  if (!user) return refused("unknown user or wrong password");
  if (user->disabled || cache_.is_refused(user->id)) return refused("user is disabled");
  if (user->id != client_uid) return refused("client id belongs to another user");
  if (!user->password_hash) return refused("the user has no password: sign in with a token");
  return file_check(password_checks_, &account_checks_, username, password, *user->password_hash, user->id, now_ns);
}

}  // namespace chat::auth
