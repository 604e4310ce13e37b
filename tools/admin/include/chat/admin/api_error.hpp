#pragma once
// The admin and media API's errors: one exception type carrying the HTTP
// status, a code from a small closed set and, for bad input, the field at
// fault; rendered as
//   {"error":{"code":"bad_request","message":"...","field":"username"}}
// Database errors map here too (from_db_error), so a handler never picks a
// status for a DbError itself.
#include "chat/storage/errors.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace chat::admin {

enum class ErrorCode {
  bad_request,            // 400: a field breaks a rule (field names it)
  unauthorized,           // 401: no or wrong credentials
  forbidden,              // 403
  not_found,              // 404
  conflict,               // 409: taken (field names it), or the state forbids it
  too_large,              // 413
  range_not_satisfiable,  // 416: a Range past the end of a blob
  rate_limited,           // 429: too many password attempts (Retry-After says when to try again)
  internal,               // 500
  unavailable,            // 503: the database cannot be reached right now
};

std::string_view to_string(ErrorCode code) noexcept;
int http_status(ErrorCode code) noexcept;

class ApiError : public std::runtime_error {
 public:
  ApiError(ErrorCode code, const std::string& message, std::string field = {});

  ErrorCode code() const noexcept { return code_; }
  int status() const noexcept { return http_status(code_); }
  const std::string& field() const noexcept { return field_; }
  // Seconds for a Retry-After header; 0: none.
  long retry_after_s() const noexcept { return retry_after_s_; }
  ApiError& with_retry_after(long seconds) noexcept {
    retry_after_s_ = seconds;
    return *this;
  }

  // {"error":{"code":...,"message":...[,"field":...]}}
  std::string to_json() const;

 private:
  ErrorCode code_;
  std::string field_;
  long retry_after_s_ = 0;
};

// Shorthands: bad_request("username", "must match ...") reads as the message
// "username: must match ...".
ApiError bad_request(std::string_view field, std::string_view message);
ApiError not_found(std::string_view message);
ApiError conflict(std::string_view field, std::string_view message);

// unique_violation -> 409 naming the field (username, phone), check_violation
// -> 400 naming the field, foreign_key_violation -> 404, invalid input -> 400,
// a lost connection or a commit in doubt -> 503, anything else -> 500 without
// the server's text (it may quote SQL or values).
ApiError from_db_error(const storage::DbError& error);

}  // namespace chat::admin
