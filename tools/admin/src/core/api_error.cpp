#include "chat/admin/api_error.hpp"

#include "chat/storage/constraints.hpp"

#include <nlohmann/json.hpp>

namespace chat::admin {
namespace {

std::string with_field(std::string_view field, std::string_view message) {
  if (field.empty()) return std::string(message);
  return std::string(field) + ": " + std::string(message);
}

}  // namespace

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::bad_request:
      return "bad_request";
    case ErrorCode::unauthorized:
      return "unauthorized";
    case ErrorCode::forbidden:
      return "forbidden";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::conflict:
      return "conflict";
    case ErrorCode::too_large:
      return "too_large";
    case ErrorCode::range_not_satisfiable:
      return "range_not_satisfiable";
    case ErrorCode::rate_limited:
      return "rate_limited";
    case ErrorCode::internal:
      return "internal";
    case ErrorCode::unavailable:
      return "unavailable";
  }
  return "internal";
}

int http_status(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::bad_request:
      return 400;
    case ErrorCode::unauthorized:
      return 401;
    case ErrorCode::forbidden:
      return 403;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::conflict:
      return 409;
    case ErrorCode::too_large:
      return 413;
    case ErrorCode::range_not_satisfiable:
      return 416;
    case ErrorCode::rate_limited:
      return 429;
    case ErrorCode::internal:
      return 500;
    case ErrorCode::unavailable:
      return 503;
  }
  return 500;
}

ApiError::ApiError(ErrorCode code, const std::string& message, std::string field)
    : std::runtime_error(message), code_(code), field_(std::move(field)) {}

std::string ApiError::to_json() const {
  nlohmann::json error{{"code", to_string(code_)}, {"message", what()}};
  if (!field_.empty()) error["field"] = field_;
  // Messages may quote user input: replace bad UTF-8 instead of throwing.
  return nlohmann::json{{"error", std::move(error)}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ApiError bad_request(std::string_view field, std::string_view message) {
  return ApiError(ErrorCode::bad_request, with_field(field, message), std::string(field));
}

ApiError not_found(std::string_view message) { return ApiError(ErrorCode::not_found, std::string(message)); }

ApiError conflict(std::string_view field, std::string_view message) {
  return ApiError(ErrorCode::conflict, with_field(field, message), std::string(field));
}

ApiError from_db_error(const storage::DbError& error) {
  namespace c = storage::constraint;
  const std::string& name = error.constraint();
  switch (error.code()) {
    case storage::DbErrc::unique_violation:
      if (name == c::username_taken) return conflict("username", "already taken");
      if (name == c::phone_taken) return conflict("phone", "already registered to another user");
      return ApiError(ErrorCode::conflict, "already exists");
    case storage::DbErrc::check_violation:
      if (name == c::username_format) return bad_request("username", "must match ^[a-z0-9_.]{3,32}$");
      if (name == c::phone_format) return bad_request("phone", "must be E.164 (^\\+[1-9][0-9]{6,14}$)");
      if (name == c::display_name_length) return bad_request("display_name", "at most 128 characters");
      if (name == c::chat_title_length) return bad_request("title", "at most 128 characters");
      return ApiError(ErrorCode::bad_request, "a value breaks a rule of the schema");
    case storage::DbErrc::foreign_key_violation:
      if (name.find("user") != std::string::npos || name.find("owner") != std::string::npos) {
        return ApiError(ErrorCode::not_found, "user: no such user", "user");
      }
      return ApiError(ErrorCode::not_found, "a referenced user or chat does not exist");
    case storage::DbErrc::not_null_violation:
    case storage::DbErrc::invalid_input:
      return ApiError(ErrorCode::bad_request, "invalid value");
    case storage::DbErrc::connection_lost:
    case storage::DbErrc::commit_in_doubt:
    case storage::DbErrc::serialization_conflict:
      return ApiError(ErrorCode::unavailable, "the database is unavailable; try again");
    case storage::DbErrc::undefined_object:
    case storage::DbErrc::internal:
      break;
  }
  return ApiError(ErrorCode::internal, "internal error");
}

}  // namespace chat::admin
