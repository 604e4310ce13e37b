#pragma once
// JSON parsing with a nesting limit, for everything the bridge reads from
// clients: deeper input is refused rather than walked recursively. The auth
// plugin allows the same depth.
#include "chat/protocol/limits.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

namespace chat::bridge {

inline constexpr int kMaxJsonDepth = protocol::limits::kMaxJsonDepth;

// nullopt when the text is not JSON or nests deeper than kMaxJsonDepth.
std::optional<nlohmann::json> parse_bounded_json(std::string_view text);

}  // namespace chat::bridge
