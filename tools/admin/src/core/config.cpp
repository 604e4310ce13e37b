#include "chat/admin/config.hpp"

#include "chat/credentials/password.hpp"
#include "chat/settings/settings.hpp"

#include <charconv>
#include <sstream>
#include <variant>

namespace chat::admin {
namespace {

struct IntOption {
  int Config::*field;
  int min;
  int max;
};
struct SizeOption {
  std::uint64_t Config::*field;
  std::uint64_t min;
};
struct BoolOption {
  bool Config::*field;
};
struct Option {
  const char* key;
  std::variant<std::string Config::*, IntOption, SizeOption, BoolOption> target;
  const char* help;
};

constexpr int kMaxInt = 2147483647;
constexpr std::uint64_t kMinMediaLimit = 1024;

const Option kOptions[] = {
    {"database_url", &Config::database_url, "PostgreSQL conninfo or URL (default: $CHAT_DATABASE_URL)"},
    {"bind", &Config::bind, "listen address (default 127.0.0.1: loopback only)"},
    {"port", IntOption{&Config::port, 0, 65535}, "HTTP port (default 8080; 0: any free port, printed at start)"},
    {"http_threads", IntOption{&Config::http_threads, 1, 256}, "worker threads (default 8)"},
    {"admin_token_file", &Config::admin_token_file,
     "file holding the admin token (default: $CHAT_ADMIN_TOKEN_FILE; or set $CHAT_ADMIN_TOKEN)"},
    {"token_secret_file", &Config::token_secret_file,
     "the sign-in token (JWT HS256) secret shared with the broker's plugin (default: $CHAT_TOKEN_SECRET_FILE)"},
    {"media_dir", &Config::media_dir, "the media store (default: $CHAT_DATA_DIR/media)"},
    {"media_max_image_bytes", SizeOption{&Config::media_max_image_bytes, kMinMediaLimit},
     "largest image upload (default 10MiB; sizes like 65536, 512KiB, 10MiB)"},
    {"media_max_voice_bytes", SizeOption{&Config::media_max_voice_bytes, kMinMediaLimit},
     "largest voice upload (default 16MiB)"},
    {"media_max_file_bytes", SizeOption{&Config::media_max_file_bytes, kMinMediaLimit},
     "largest upload of any other type (default 64MiB)"},
    {"media_gc_age_s", IntOption{&Config::media_gc_age_s, 1, kMaxInt},
     "uploads no message referenced are removed after this many seconds (default 86400)"},
    {"media_gc_interval_ms", IntOption{&Config::media_gc_interval_ms, 0, kMaxInt},
     "how often the media collector runs (default 600000; 0: never)"},
    {"token_default_ttl_s", IntOption{&Config::token_default_ttl_s, 60, kMaxInt},
     "lifetime of a minted sign-in token when the request names none (default 30 days)"},
    {"token_max_ttl_s", IntOption{&Config::token_max_ttl_s, 60, kMaxInt},
     "longest lifetime a minted token may have (default 30 days, the broker's limit)"},
    {"password_iterations",
     IntOption{&Config::password_iterations, credentials::kMinPbkdf2Iterations, credentials::kMaxPbkdf2Iterations},
     "PBKDF2-SHA512 rounds of new password hashes (default 210000)"},
    {"password_burst_per_address", IntOption{&Config::password_burst_per_address, 1, 1000000},
     "media sign-ins with a password one client address may make at once (default 10)"},
    {"password_per_minute_per_address", IntOption{&Config::password_per_minute_per_address, 1, 1000000},
     "...and then per minute (default 20); each costs a PBKDF2 run"},
    {"password_burst_per_user", IntOption{&Config::password_burst_per_user, 1, 1000000},
     "media sign-ins with a password for one username at once (default 5)"},
    {"password_per_minute_per_user", IntOption{&Config::password_per_minute_per_user, 1, 1000000},
     "...and then per minute (default 5); sign-in tokens are not counted"},
    {"signin_token_ttl_s", IntOption{&Config::signin_token_ttl_s, 60, kMaxInt},
     "lifetime of the token POST /v1/signin gives for a password (default 86400)"},
    {"web_dir", &Config::web_dir, "the built web app (web/, docs/web.md) served at /app (default: none)"},
    {"web_mqtt_url", &Config::web_mqtt_url,
     "the MQTT-over-WebSocket URL the web app connects to (default: ws://<its host>:9001/mqtt)"},
    {"max_json_body_bytes", IntOption{&Config::max_json_body_bytes, 1024, 64 << 20},
     "largest admin request body (default 1MiB)"},
    {"log_requests", BoolOption{&Config::log_requests}, "one log line per request (default true)"},
};

const Option* find_option(const std::string& key) {
  for (const Option& option : kOptions) {
    if (key == option.key) return &option;
  }
  return nullptr;
}

std::string set_option(Config& config, const std::string& raw_key, const std::string& value) {
  const std::string key = settings::normalize_key(raw_key);
  if (key == "admin_token") {
    return "admin_token cannot be given as an option (it would show in ps or a config dump): "
           "use admin_token_file or $CHAT_ADMIN_TOKEN";
  }
  const Option* option = find_option(key);
  if (option == nullptr) return "unknown option \"" + raw_key + "\"";
  if (const auto* field = std::get_if<std::string Config::*>(&option->target)) {
    config.*(*field) = value;
    // A file named here wins over $CHAT_ADMIN_TOKEN from the environment.
    if (key == "admin_token_file") config.admin_token.clear();
    return {};
  }
  if (const auto* size_option = std::get_if<SizeOption>(&option->target)) {
    const auto size = parse_byte_size(value);
    if (!size || *size < size_option->min) {
      return key + ": \"" + value + "\" is not a size of at least " + std::to_string(size_option->min) + " bytes";
    }
    config.*(size_option->field) = *size;
    return {};
  }
  if (const auto* bool_option = std::get_if<BoolOption>(&option->target)) {
    if (value == "true" || value == "1" || value == "yes") {
      config.*(bool_option->field) = true;
    } else if (value == "false" || value == "0" || value == "no") {
      config.*(bool_option->field) = false;
    } else {
      return key + ": \"" + value + "\" is not true or false";
    }
    return {};
  }
  const auto& int_option = std::get<IntOption>(option->target);
  return settings::parse_int_setting(key, value, int_option.min, int_option.max, config.*(int_option.field));
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

std::optional<std::uint64_t> parse_byte_size(const std::string& text) {
  const std::string trimmed = settings::trim(text);
  std::uint64_t number = 0;
  const char* begin = trimmed.data();
  const char* end = trimmed.data() + trimmed.size();
  const auto [stop, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc() || stop == begin || number == 0) return std::nullopt;
  std::string unit = settings::trim(std::string_view(stop, static_cast<std::size_t>(end - stop)));
  for (char& c : unit) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  int shift = 0;
  if (unit.empty() || unit == "B") {
    shift = 0;
  } else if (unit == "K" || unit == "KB" || unit == "KIB") {
    shift = 10;
  } else if (unit == "M" || unit == "MB" || unit == "MIB") {
    shift = 20;
  } else if (unit == "G" || unit == "GB" || unit == "GIB") {
    shift = 30;
  } else {
    return std::nullopt;
  }
  if (shift > 0 && number > (UINT64_MAX >> shift)) return std::nullopt;
  return number << shift;
}

std::string apply_config_text(Config& config, const std::string& text) {
  return settings::apply_key_value_lines(
      text, [&](const std::string& key, const std::string& value) { return set_option(config, key, value); });
}

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

  result.error = settings::apply_command_line(
      args, sources, [&](const std::string& text) { return apply_config_text(config, text); },
      [&](const std::string& key, const std::string& value) { return set_option(config, key, value); }, result.help);
  if (result.error.empty() && !result.help) result.error = check(config);
  return result;
}

std::string config_usage() {
  std::ostringstream out;
  out << "chat-admin: the admin HTTP API (users, chats, moderation, stats) and the media\n"
         "store (PUT/GET /v1/media) of the chat platform. See docs/admin-api.md.\n\n"
         "usage: chat-admin [--config FILE] [--KEY VALUE | --KEY=VALUE]...\n\n"
         "The config file holds key = value lines (# comments). Flags win over the file,\n"
         "the file over the environment. Keys (flags may use - for _):\n";
  for (const Option& option : kOptions) {
    out << "  " << option.key;
    for (std::size_t n = std::string_view(option.key).size(); n < 24; ++n) out << ' ';
    out << option.help << '\n';
  }
  out << "\nThe admin token (at least 16 bytes) is read from admin_token_file or $CHAT_ADMIN_TOKEN;\n"
         "it is never logged.\n";
  return out.str();
}

}  // namespace chat::admin
