#pragma once
// The gateway's configuration: defaults, then the config file (key = value
// lines), then command-line flags (--key=value or --key value; dashes or
// underscores), each later source winning (common/settings).
// `chat-gateway --help` lists every key.
#include "chat/settings/settings.hpp"

#include <string>
#include <vector>

namespace chat::gateway {

struct Config {
  // WebSocket listeners (browsers, MQTT over WebSocket)
  std::string ws_bind = "127.0.0.1";
  int ws_port = 9001;         // plain ws://; 0: off
  int wss_port = 9443;        // wss:// with tls_cert_file/tls_key_file; 0: off
  std::string tls_cert_file;  // PEM certificate chain (the stack's loopback certificate)
  std::string tls_key_file;   // its private key

  // where every WebSocket connection is piped to: the broker's MQTT TCP listener
  std::string broker_host = "127.0.0.1";
  int broker_port = 1883;
  int broker_connect_timeout_ms = 3000;

  // Browser pages allowed to connect, by their Origin header: comma- or
  // space-separated (http://127.0.0.1:8080, ...), or * for any. A handshake
  // without Origin (not a browser) is let through: Origin protects browsers'
  // users from other sites' pages, it authenticates nothing.
  std::string allowed_origins;

  // per-connection limits
  int max_connections = 1000;       // WebSocket connections open or in their handshake
  int max_message_bytes = 262144;   // one WebSocket message (all its frames); above: close 1009
  int handshake_timeout_ms = 5000;  // TLS + HTTP upgrade, and a closing handshake
  int idle_timeout_s = 120;         // nothing from the client (pings at half of it); then closed

  // operations
  std::string http_bind = "127.0.0.1";
  int http_port = 9103;            // /healthz and /metrics (plain HTTP); 0: off
  int drain_timeout_ms = 5000;     // SIGTERM: time for the closing handshakes
  std::string log_level = "info";  // debug | info | warn | error

  bool tls_enabled() const { return wss_port != 0; }
};

using ConfigResult = settings::LoadResult<Config>;

// args without argv[0]. Checks ranges and that TLS has its files.
ConfigResult load_config(const std::vector<std::string>& args, const settings::Sources& sources);

// `chat-gateway --help`.
std::string config_usage();

}  // namespace chat::gateway
