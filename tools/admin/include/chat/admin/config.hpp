#pragma once
// chat-admin's configuration: defaults, then the environment, then a config
// file (key = value lines, # comments), then flags (--key value or
// --key=value; dashes or underscores). Each later source wins.
//
// The admin token is never a flag (flags show in `ps`): it comes from a file
// (admin_token_file, $CHAT_ADMIN_TOKEN_FILE) or from $CHAT_ADMIN_TOKEN.
#include "chat/settings/settings.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace chat::admin {

struct Config {
  std::string database_url;  // libpq conninfo or URL ($CHAT_DATABASE_URL)
  std::string bind = "127.0.0.1";
  int port = 8080;       // the contract's HTTP port (docs/protocol.md section 7)
  int http_threads = 8;  // worker threads, each with its own database session when busy

  std::string admin_token_file;   // $CHAT_ADMIN_TOKEN_FILE
  std::string admin_token;        // only from $CHAT_ADMIN_TOKEN
  std::string token_secret_file;  // the sign-in token secret the broker's plugin uses ($CHAT_TOKEN_SECRET_FILE)

  std::string media_dir;  // default $CHAT_DATA_DIR/media
  std::uint64_t media_max_image_bytes = 10ull << 20;
  std::uint64_t media_max_voice_bytes = 16ull << 20;
  std::uint64_t media_max_file_bytes = 64ull << 20;
  int media_gc_age_s = 86400;         // uploads no message referenced are removed after this
  int media_gc_interval_ms = 600000;  // how often the collector runs; 0: never

  int token_default_ttl_s = 30 * 86400;
  // The broker refuses tokens that live longer (its max_token_lifetime_s, 30 days).
  int token_max_ttl_s = 30 * 86400;
  int password_iterations = 210000;  // PBKDF2 rounds of new password hashes
  // Media sign-ins with a password (Basic), counted before PBKDF2 runs: per
  // client address and per username, a burst and then so many a minute.
  int password_burst_per_address = 10;
  int password_per_minute_per_address = 20;
  int password_burst_per_user = 5;
  int password_per_minute_per_user = 5;
  // POST /v1/signin: lifetime of the token a user gets for its password.
  int signin_token_ttl_s = 86400;
  // The web app (docs/web.md): its built bundle, served at /app when set, and
  // the MQTT-over-WebSocket URL it is told to connect to (/app/config.json;
  // empty: the app uses ws://<its host>:9001/mqtt).
  std::string web_dir;
  std::string web_mqtt_url;
  int max_json_body_bytes = 1 << 20;
  bool log_requests = true;
};

using ConfigResult = settings::LoadResult<Config>;
using ConfigSources = settings::Sources;

// args without argv[0]. Checks ranges and that the required settings are there.
ConfigResult load_config(const std::vector<std::string>& args, const ConfigSources& sources);

std::string config_usage();

}  // namespace chat::admin
