#include "bounded_json.hpp"

namespace chat::bridge {

std::optional<nlohmann::json> parse_bounded_json(std::string_view text) {
  using nlohmann::json;
  bool too_deep = false;
  const json::parser_callback_t limit = [&](int depth, json::parse_event_t, json&) {
    if (depth > kMaxJsonDepth) too_deep = true;
    return !too_deep;
  };
  json value = json::parse(text.begin(), text.end(), limit, /*allow_exceptions=*/false);
  if (value.is_discarded() || too_deep) return std::nullopt;
  return value;
}

}  // namespace chat::bridge
