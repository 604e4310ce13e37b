#pragma once
// How a user (not an operator) proves who it is to chat-admin: a sign-in
// token (Bearer, the broker's format) or a username and password. Shared by
// the media routes and the sign-in route, so that a password guess costs the
// same allowance (Context::passwords_by_*) whichever endpoint it is made at.
#include "chat/storage/identifiers.hpp"
#include "server.hpp"

#include <string>

namespace chat::admin {

// Counts a password attempt per client address and per (folded) username
// before any PBKDF2 runs; throws rate_limited with Retry-After when either
// allowance is spent. Names no account can have count on the address only.
void admit_password_attempt(Context& context, const Request& request, const std::string& username);

// The live account that `username`/`password` name. Counts the attempt
// (admit_password_attempt) first; an unknown name costs as much as a wrong
// password. Throws unauthorized (wrong), forbidden (disabled).
storage::UserId verify_user_password(Context& context, const Request& request, const std::string& raw_username,
                                     const std::string& password);

// The signed-in user of a request's Authorization header: Bearer <sign-in
// token> or Basic. Disabled and deleted accounts are refused, and so are
// revoked tokens (issued before the user's tokens_not_before), as the broker
// refuses them. Every user-token route signs in through here.
storage::UserId authenticate_user(Context& context, const Request& request);

std::int64_t unix_seconds_now();

}  // namespace chat::admin
