#include "chat/protocol/events.hpp"

#include <array>

namespace chat::protocol {
namespace {

constexpr std::array kCodes{ErrorCode::bad_request,  ErrorCode::forbidden, ErrorCode::not_found, ErrorCode::too_large,
                            ErrorCode::rate_limited, ErrorCode::conflict,  ErrorCode::internal};

}  // namespace

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::bad_request:
      return "bad_request";
    case ErrorCode::forbidden:
      return "forbidden";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::too_large:
      return "too_large";
    case ErrorCode::rate_limited:
      return "rate_limited";
    case ErrorCode::conflict:
      return "conflict";
    case ErrorCode::internal:
      return "internal";
  }
  return "internal";
}

std::optional<ErrorCode> parse_error_code(std::string_view text) noexcept {
  for (const ErrorCode code : kCodes) {
    if (to_string(code) == text) return code;
  }
  return std::nullopt;
}

}  // namespace chat::protocol
