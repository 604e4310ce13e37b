#include "chat/storage/errors.hpp"

#include <utility>

namespace chat::storage {

std::string_view to_string(DbErrc code) noexcept {
  switch (code) {
    case DbErrc::unique_violation:
      return "unique_violation";
    case DbErrc::foreign_key_violation:
      return "foreign_key_violation";
    case DbErrc::check_violation:
      return "check_violation";
    case DbErrc::not_null_violation:
      return "not_null_violation";
    case DbErrc::invalid_input:
      return "invalid_input";
    case DbErrc::serialization_conflict:
      return "serialization_conflict";
    case DbErrc::connection_lost:
      return "connection_lost";
    case DbErrc::commit_in_doubt:
      return "commit_in_doubt";
    case DbErrc::undefined_object:
      return "undefined_object";
    case DbErrc::internal:
      return "internal";
  }
  return "internal";
}

DbErrc classify_sqlstate(std::string_view sqlstate) noexcept {
  if (sqlstate.size() != 5) return DbErrc::internal;
  const std::string_view error_class = sqlstate.substr(0, 2);

  if (sqlstate == "23505") return DbErrc::unique_violation;
  if (sqlstate == "23503") return DbErrc::foreign_key_violation;
  if (sqlstate == "23514") return DbErrc::check_violation;
  if (sqlstate == "23502") return DbErrc::not_null_violation;
  if (error_class == "22") return DbErrc::invalid_input;  // data exception
  if (sqlstate == "40001" || sqlstate == "40P01") return DbErrc::serialization_conflict;
  // Class 08 is "connection exception"; 57P01-57P03 are the server going away
  // (admin shutdown, crash shutdown, cannot connect now): all end the session.
  if (error_class == "08") return DbErrc::connection_lost;
  if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") {
    return DbErrc::connection_lost;
  }
  if (sqlstate == "42P01" || sqlstate == "42703" || sqlstate == "42704" || sqlstate == "42883") {
    return DbErrc::undefined_object;
  }
  return DbErrc::internal;
}

bool is_retryable(DbErrc code) noexcept {
  return code == DbErrc::serialization_conflict || code == DbErrc::connection_lost;
}

DbError::DbError(DbErrc code, const std::string& message, std::string sqlstate, std::string constraint)
    : std::runtime_error(message), code_(code), sqlstate_(std::move(sqlstate)), constraint_(std::move(constraint)) {}

}  // namespace chat::storage
