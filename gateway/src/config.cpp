#include "chat/gateway/config.hpp"

#include "chat/settings/option_table.hpp"

#include <sstream>
#include <string_view>
#include <variant>

namespace chat::gateway {
namespace {

using IntOption = settings::IntOption<Config>;
using Option = settings::Option<Config>;

const Option kOptions[] = {
    {"ws_bind", &Config::ws_bind, "address of the ws:// and wss:// listeners"},
    {"ws_port", IntOption{&Config::ws_port, 0, 65535}, "ws:// port; 0: off"},
    {"wss_port", IntOption{&Config::wss_port, 0, 65535}, "wss:// port; 0: off"},
    {"tls_cert_file", &Config::tls_cert_file, "PEM certificate chain of wss://"},
    {"tls_key_file", &Config::tls_key_file, "its PEM private key"},
    {"broker_host", &Config::broker_host, "the broker's MQTT TCP listener (an IP address)"},
    {"broker_port", IntOption{&Config::broker_port, 1, 65535}, "its port"},
    {"broker_connect_timeout_ms", IntOption{&Config::broker_connect_timeout_ms, 1, 600000},
     "then the handshake is refused (502)"},
    {"allowed_origins", &Config::allowed_origins,
     "Origin values browsers may connect from (comma/space separated, * any); a handshake without Origin is let "
     "through"},
    {"max_connections", IntOption{&Config::max_connections, 1, 1000000},
     "WebSocket connections open or in their handshake; more are refused (503)"},
    {"max_message_bytes", IntOption{&Config::max_message_bytes, 16, 64 * 1024 * 1024},
     "largest WebSocket message from a client; larger closes with 1009"},
    {"handshake_timeout_ms", IntOption{&Config::handshake_timeout_ms, 1, 600000},
     "TLS and HTTP upgrade (and a closing handshake) must finish within it"},
    {"idle_timeout_s", IntOption{&Config::idle_timeout_s, 1, 86400},
     "a client silent this long is closed (pinged at half of it)"},
    {"http_bind", &Config::http_bind, "address of /healthz and /metrics"},
    {"http_port", IntOption{&Config::http_port, 0, 65535}, "port of /healthz and /metrics; 0: off"},
    {"drain_timeout_ms", IntOption{&Config::drain_timeout_ms, 0, 600000}, "SIGTERM: time for the closing handshakes"},
    {"log_level", &Config::log_level, "debug | info | warn | error"},
};

std::string set_option(Config& config, const std::string& raw_key, const std::string& value) {
  return settings::set_option<Config>(kOptions, config, raw_key, value);
}

std::string check(const Config& config) {
  if (config.ws_port == 0 && config.wss_port == 0) return "ws_port and wss_port are both 0: nothing to listen on";
  if (config.tls_enabled() && (config.tls_cert_file.empty() || config.tls_key_file.empty())) {
    return "wss_port needs tls_cert_file and tls_key_file (or wss_port = 0)";
  }
  if (config.ws_port != 0 && config.ws_port == config.wss_port) return "ws_port and wss_port must differ";
  if (config.http_port != 0 && (config.http_port == config.ws_port || config.http_port == config.wss_port)) {
    return "http_port must differ from ws_port and wss_port";
  }
  const std::string_view level = config.log_level;
  if (level != "debug" && level != "info" && level != "warn" && level != "error") {
    return "log_level must be debug, info, warn or error";
  }
  return {};
}

}  // namespace

ConfigResult load_config(const std::vector<std::string>& args, const settings::Sources& sources) {
  ConfigResult result;
  settings::load_command_line<Config>(result, args, sources, set_option, check);
  return result;
}

std::string config_usage() {
  std::ostringstream out;
  out << "chat-gateway: MQTT over WebSocket for browsers, piped to the broker's TCP listener\n"
         "(docs/gateway.md).\n\n"
         "usage: chat-gateway [--config FILE] [--KEY VALUE | --KEY=VALUE]...\n\n"
         "The config file holds key = value lines (# comments); flags win over the file.\n"
         "Keys (flags may use - for _):\n";
  settings::print_options<Config>(out, kOptions, 27);
  return out.str();
}

}  // namespace chat::gateway
