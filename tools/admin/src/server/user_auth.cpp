#include "user_auth.hpp"

#include "chat/admin/auth_header.hpp"
#include "chat/credentials/password.hpp"
#include "chat/credentials/token.hpp"
#include "chat/protocol/identifiers.hpp"

#include <httplib.h>

#include <chrono>

namespace chat::admin {

std::int64_t unix_seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A password check costs ~0.2 s of CPU (PBKDF2) and is a guess at an
// account: each client address and each username gets a bounded number,
// counted before the check. Sign-in tokens are the cheap way in and are not
// counted.
void admit_password_attempt(Context& context, const Request& request, const std::string& username) {
  const auto now = AttemptThrottle::Clock::now();
  auto wait = context.passwords_by_address.admit(request.remote_addr, now);
  if (!wait && protocol::is_valid_username(username)) wait = context.passwords_by_user.admit(username, now);
  if (!wait) return;
  throw ApiError(ErrorCode::rate_limited, "too many password attempts: retry in " + std::to_string(wait->count()) +
                                              " s, or sign in with a token (Bearer)")
      .with_retry_after(wait->count());
}

storage::UserId verify_user_password(Context& context, const Request& request, const std::string& raw_username,
                                     const std::string& password) {
  const std::string username = protocol::fold_username(raw_username);
  admit_password_attempt(context, request, username);
  std::optional<storage::UserCredentials> found;
  if (protocol::is_valid_username(username)) {
    auto store = context.pool.acquire();
    found = store->auth().find_credentials(username);
  }
  // An unknown name costs as much as a wrong password: no timing says which names exist.
  const bool has_hash = found && found->password_hash;
  const bool verified =
      credentials::verify_password(password, has_hash ? *found->password_hash : context.secrets.dummy_password_hash);
  if (!has_hash || !verified) throw ApiError(ErrorCode::unauthorized, "wrong username or password");
  if (found->disabled) throw ApiError(ErrorCode::forbidden, "the account is disabled");
  return found->id;
}

storage::UserId authenticate_user(Context& context, const Request& request) {
  if (!request.has_header("Authorization")) {
    throw ApiError(ErrorCode::unauthorized, "sign in: Authorization: Bearer <sign-in token> or Basic");
  }
  const std::string header = request.get_header_value("Authorization");
  if (const auto token = bearer_token(header)) {
    const credentials::TokenCheck check =
        credentials::verify_token(*token, context.secrets.token_secret, unix_seconds_now());
    if (!check.ok()) {
      throw ApiError(ErrorCode::unauthorized,
                     "invalid sign-in token (" + std::string(credentials::to_string(check.error)) + ")");
    }
    // One primary-key probe answers existence, name, state and revocation,
    // the look-up a token check needed before revocation existed.
    std::optional<storage::TokenHolder> holder;
    {
      auto store = context.pool.acquire();
      holder = store->auth().find_token_holder(check.claims->uid);
    }
    if (!holder || holder->deleted || holder->username != check.claims->username) {
      throw ApiError(ErrorCode::unauthorized, "the token's account does not exist any more");
    }
    if (holder->disabled) throw ApiError(ErrorCode::forbidden, "the account is disabled");
    if (holder->revokes(check.claims->issued_at)) {
      throw ApiError(ErrorCode::unauthorized,
                     "the sign-in token was revoked (password change or sign-out everywhere): sign in again");
    }
    return holder->id;
  }
  if (const auto basic = basic_credentials(header)) {
    return verify_user_password(context, request, basic->username, basic->password);
  }
  throw ApiError(ErrorCode::unauthorized, "unsupported Authorization scheme (use Bearer or Basic)");
}

}  // namespace chat::admin
