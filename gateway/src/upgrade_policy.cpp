#include "chat/gateway/upgrade_policy.hpp"

#include <algorithm>
#include <cctype>

namespace chat::gateway {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string_view without_trailing_slash(std::string_view text) {
  if (!text.empty() && text.back() == '/') text.remove_suffix(1);
  return text;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

std::vector<std::string> parse_origin_list(std::string_view text) {
  std::vector<std::string> origins;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = std::min(text.find_first_of(", \t", start), text.size());
    if (end > start) origins.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return origins;
}

bool origin_allowed(const std::vector<std::string>& allowed, const std::optional<std::string>& origin) {
  if (!origin) return true;
  const std::string_view wanted = without_trailing_slash(*origin);
  return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& entry) {
    return entry == "*" || equal_ignoring_case(without_trailing_slash(entry), wanted);
  });
}

std::optional<std::string> choose_subprotocol(std::string_view offered) {
  std::size_t start = 0;
  while (start <= offered.size()) {
    const auto end = std::min(offered.find(',', start), offered.size());
    const std::string_view name = trim(offered.substr(start, end - start));
    if (name == "mqtt" || name == "mqttv3.1") return std::string(name);
    start = end + 1;
  }
  return std::nullopt;
}

bool path_served(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  return path == "/" || path == "/mqtt";
}

UpgradeVerdict evaluate_upgrade(const UpgradeRequest& request, const std::vector<std::string>& allowed_origins) {
  if (!path_served(request.target)) {
    return {404, "path", "not found: MQTT over WebSocket is served at /mqtt and /\n", {}};
  }
  if (!request.is_websocket_upgrade) {
    return {426, "not_websocket", "this endpoint speaks MQTT over WebSocket only (Upgrade: websocket)\n", {}};
  }
  if (!origin_allowed(allowed_origins, request.origin)) {
    return {403, "origin", "this page's Origin is not allowed to connect\n", {}};
  }
  const auto subprotocol = choose_subprotocol(request.subprotocols.value_or(""));
  if (!subprotocol) {
    return {400, "subprotocol", "offer the WebSocket subprotocol mqtt (or mqttv3.1)\n", {}};
  }
  return {101, "upgrade", {}, *subprotocol};
}

}  // namespace chat::gateway
