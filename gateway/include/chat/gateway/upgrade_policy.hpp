#pragma once
// Which HTTP requests become a WebSocket piped to the broker, and why the
// others are refused. Pure: the server hands in what the request says.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::gateway {

// What the policy looks at in an HTTP request.
struct UpgradeRequest {
  std::string target;                       // request target, query included
  bool is_websocket_upgrade = false;        // GET with Upgrade: websocket and its headers
  std::optional<std::string> origin;        // the Origin header, when present
  std::optional<std::string> subprotocols;  // Sec-WebSocket-Protocol, when present
};

struct UpgradeVerdict {
  int status = 101;         // 101: upgrade; otherwise the HTTP status of the refusal
  std::string reason;       // short label (metrics, logs): "origin", "subprotocol", ...
  std::string message;      // the refusal's body, for people
  std::string subprotocol;  // the answered subprotocol when upgrading

  bool accepted() const { return status == 101; }
};

// "http://a:1, http://b:2 *" -> {"http://a:1", "http://b:2", "*"}
std::vector<std::string> parse_origin_list(std::string_view text);

// A request without Origin (not a browser) passes; otherwise its Origin must
// be listed (ASCII case-insensitive, a trailing slash ignored) or the list holds *.
bool origin_allowed(const std::vector<std::string>& allowed, const std::optional<std::string>& origin);

// The first of the client's offers (in its order) that the gateway speaks:
// "mqtt" (MQTT 3.1.1 and 5) or "mqttv3.1". Subprotocol names are case-sensitive.
std::optional<std::string> choose_subprotocol(std::string_view offered);

// "/mqtt" and "/", with or without a query.
bool path_served(std::string_view target);

UpgradeVerdict evaluate_upgrade(const UpgradeRequest& request, const std::vector<std::string>& allowed_origins);

}  // namespace chat::gateway
