#include "chat/admin/config.hpp"

#include "chat/credentials/password.hpp"
#include "chat/settings/option_table.hpp"

#include <sstream>

namespace chat::admin {
namespace {

using IntOption = settings::IntOption<Config>;
using SizeOption = settings::SizeOption<Config>;
using BoolOption = settings::BoolOption<Config>;
using Option = settings::Option<Config>;

constexpr int kMaxInt = 2147483647;
constexpr std::uint64_t kMinMediaLimit = 1024;

// Defaults are printed by settings::print_options from Config's own values.
const Option kOptions[] = {
    {"database_url", &Config::database_url, "PostgreSQL conninfo or URL (default: $CHAT_DATABASE_URL)"},
    {"bind", &Config::bind, "listen address (the default is loopback only)"},
    {"port", IntOption{&Config::port, 0, 65535}, "HTTP port (0: any free port, printed at start)"},
    {"http_threads", IntOption{&Config::http_threads, 1, 256}, "worker threads"},
    {"admin_token_file", &Config::admin_token_file,
     "file holding the admin token (default: $CHAT_ADMIN_TOKEN_FILE; or set $CHAT_ADMIN_TOKEN)"},
    {"token_secret_file", &Config::token_secret_file,
     "the sign-in token (JWT HS256) secret shared with the broker's plugin (default: $CHAT_TOKEN_SECRET_FILE)"},
    {"media_dir", &Config::media_dir, "the media store (default: $CHAT_DATA_DIR/media)"},
    {"media_max_image_bytes", SizeOption{&Config::media_max_image_bytes, kMinMediaLimit},
     "largest image upload (sizes like 65536, 512KiB, 10MiB)"},
    {"media_max_voice_bytes", SizeOption{&Config::media_max_voice_bytes, kMinMediaLimit}, "largest voice upload"},
    {"media_max_file_bytes", SizeOption{&Config::media_max_file_bytes, kMinMediaLimit},
     "largest upload of any other type"},
    {"media_gc_age_s", IntOption{&Config::media_gc_age_s, 1, kMaxInt},
     "uploads no message referenced are removed after this many seconds"},
    {"media_gc_interval_ms", IntOption{&Config::media_gc_interval_ms, 0, kMaxInt},
     "how often the media collector runs (0: never)"},
    {"token_default_ttl_s", IntOption{&Config::token_default_ttl_s, 60, kMaxInt},
     "lifetime of a minted sign-in token when the request names none"},
    {"token_max_ttl_s", IntOption{&Config::token_max_ttl_s, 60, kMaxInt},
     "longest lifetime a minted token may have (the broker's limit)"},
    {"password_iterations",
     IntOption{&Config::password_iterations, credentials::kMinPbkdf2Iterations, credentials::kMaxPbkdf2Iterations},
     "PBKDF2-SHA512 rounds of new password hashes"},
    {"password_burst_per_address", IntOption{&Config::password_burst_per_address, 1, 1000000},
     "password sign-ins (media, /v1/signin) one client address may make at once"},
    {"password_per_minute_per_address", IntOption{&Config::password_per_minute_per_address, 1, 1000000},
     "...and then per minute; each costs a PBKDF2 run"},
    {"password_burst_per_user", IntOption{&Config::password_burst_per_user, 1, 1000000},
     "password sign-ins for one username at once"},
    {"password_per_minute_per_user", IntOption{&Config::password_per_minute_per_user, 1, 1000000},
     "...and then per minute; sign-in tokens are not counted"},
    {"signin_token_ttl_s", IntOption{&Config::signin_token_ttl_s, 60, kMaxInt},
     "lifetime of the token POST /v1/signin gives for a password"},
    {"web_dir", &Config::web_dir, "the built web app (web/, docs/web.md) served at /app (default: none)"},
    {"web_mqtt_url", &Config::web_mqtt_url,
     "the MQTT-over-WebSocket URL the web app connects to (default: ws://<its host>:9001/mqtt)"},
    {"max_json_body_bytes", IntOption{&Config::max_json_body_bytes, 1024, 64 << 20}, "largest admin request body"},
    {"log_requests", BoolOption{&Config::log_requests}, "one log line per request"},
};

std::string set_option(Config& config, const std::string& raw_key, const std::string& value) {
  const std::string key = settings::normalize_key(raw_key);
  if (key == "admin_token") {
    return "admin_token cannot be given as an option (it would show in ps or a config dump): "
           "use admin_token_file or $CHAT_ADMIN_TOKEN";
  }
  auto error = settings::set_option<Config>(kOptions, config, raw_key, value);
  // A file named here wins over $CHAT_ADMIN_TOKEN from the environment.
  if (error.empty() && key == "admin_token_file") config.admin_token.clear();
  return error;
}

std::string check(const Config& config) {
  if (config.database_url.empty()) return "database_url is not set (flag, config file or $CHAT_DATABASE_URL)";
  if (config.admin_token_file.empty() && config.admin_token.empty()) {
    return "no admin token: set admin_token_file (or $CHAT_ADMIN_TOKEN_FILE, or $CHAT_ADMIN_TOKEN)";
  }
  if (config.token_secret_file.empty()) {
    return "token_secret_file is not set (flag, config file or $CHAT_TOKEN_SECRET_FILE)";
  }
  if (config.media_dir.empty()) return "media_dir is not set (flag, config file, or $CHAT_DATA_DIR)";
  if (config.token_default_ttl_s > config.token_max_ttl_s) return "token_default_ttl_s exceeds token_max_ttl_s";
  if (config.signin_token_ttl_s > config.token_max_ttl_s) return "signin_token_ttl_s exceeds token_max_ttl_s";
  if (config.bind.empty()) return "bind must not be empty";
  return {};
}

}  // namespace

ConfigResult load_config(const std::vector<std::string>& args, const ConfigSources& sources) {
  ConfigResult result;
  Config& config = result.config;
  if (sources.getenv) {
    if (auto value = sources.getenv("CHAT_DATABASE_URL")) config.database_url = *value;
    if (auto value = sources.getenv("CHAT_ADMIN_TOKEN_FILE")) config.admin_token_file = *value;
    if (auto value = sources.getenv("CHAT_ADMIN_TOKEN")) config.admin_token = *value;
    if (auto value = sources.getenv("CHAT_TOKEN_SECRET_FILE")) config.token_secret_file = *value;
    if (auto value = sources.getenv("CHAT_DATA_DIR"); value && !value->empty()) config.media_dir = *value + "/media";
  }

  settings::load_command_line<Config>(result, args, sources, set_option, check);
  return result;
}

std::string config_usage() {
  std::ostringstream out;
  out << "chat-admin: the admin HTTP API (users, chats, moderation, stats) and the media\n"
         "store (PUT/GET /v1/media) of the chat platform. See docs/admin-api.md.\n\n"
         "usage: chat-admin [--config FILE] [--KEY VALUE | --KEY=VALUE]...\n\n"
         "The config file holds key = value lines (# comments). Flags win over the file,\n"
         "the file over the environment. Keys (flags may use - for _):\n";
  settings::print_options<Config>(out, kOptions, 32);
  out << "\nThe admin token (at least 16 bytes) is read from admin_token_file or $CHAT_ADMIN_TOKEN;\n"
         "it is never logged.\n";
  return out.str();
}

}  // namespace chat::admin
