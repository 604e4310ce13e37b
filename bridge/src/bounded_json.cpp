#include "bounded_json.hpp"

namespace chat::bridge {

std::optional<nlohmann::json> parse_bounded_json(std::string_view text) {
  using nlohmann::json;
  bool too_deep = false;
  // nlohmann reports a container's start at its parent's depth (0 for the
  // outermost), so the 17th nested container starts at depth 16. Checking
  // the starts (not only the values inside) refuses an empty one too, as the
  // broker plugin does (tests/unit/protocol_conformance_test.cpp).
  const json::parser_callback_t limit = [&](int depth, json::parse_event_t event, json&) {
    const bool opens = event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
    if (depth > kMaxJsonDepth || (opens && depth >= kMaxJsonDepth)) too_deep = true;
    return !too_deep;
  };
  json value = json::parse(text.begin(), text.end(), limit, /*allow_exceptions=*/false);
  if (value.is_discarded() || too_deep) return std::nullopt;
  return value;
}

}  // namespace chat::bridge
