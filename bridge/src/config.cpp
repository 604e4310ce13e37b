#include "chat/bridge/config.hpp"

#include "chat/bridge/notification.hpp"
#include "chat/observability/log.hpp"
#include "chat/protocol/push.hpp"
#include "chat/settings/option_table.hpp"

#include <nlohmann/json.hpp>

#include <sstream>
#include <variant>

namespace chat::bridge {
namespace {

using IntOption = settings::IntOption<Config>;
using Option = settings::Option<Config>;

constexpr int kMaxInt = 2147483647;

const Option kOptions[] = {
    {"database_url", &Config::database_url, "PostgreSQL conninfo or URL (default: $CHAT_DATABASE_URL)"},
    {"db_backoff_first_ms", IntOption{&Config::db_backoff_first_ms, 1, 600000}, "first pause after a database error"},
    {"db_backoff_max_ms", IntOption{&Config::db_backoff_max_ms, 1, 600000}, "longest pause between database retries"},
    {"mqtt_uri", &Config::mqtt_uri, "broker URI; $CHAT_MQTT_URI when set"},
    {"mqtt_client_id", &Config::mqtt_client_id, "client id of the bridge's persistent session; one per instance"},
    {"mqtt_username", &Config::mqtt_username, "service account"},
    {"mqtt_password", &Config::mqtt_password, "its password (prefer mqtt_password_file)"},
    {"mqtt_password_file", &Config::mqtt_password_file, "file holding the password"},
    {"mqtt_keepalive_s", IntOption{&Config::mqtt_keepalive_s, 5, 3600}, "MQTT keepalive"},
    {"mqtt_session_expiry_s", IntOption{&Config::mqtt_session_expiry_s, 60, kMaxInt},
     "how long the broker keeps the session (and queues for it) while the bridge is away"},
    {"mqtt_receive_maximum", IntOption{&Config::mqtt_receive_maximum, 1, 65535},
     "unacknowledged messages the broker may send at once"},
    {"outbound_client_window", IntOption{&Config::outbound_client_window, 1, 1000000},
     "publishes handed to the MQTT client and not yet through; the rest wait in the outbound queue"},
    {"share_group", &Config::share_group, "the shared subscription group: $share/<group>/..."},
    {"writers", IntOption{&Config::writers, 1, 64}, "writer threads, each with its own database session"},
    {"queue_capacity", IntOption{&Config::queue_capacity, 1, 10000000},
     "messages held in memory between the broker and the writers"},
    {"batch_max", IntOption{&Config::batch_max, 1, 100000}, "messages per transaction at most"},
    {"direct_chat_cache_max", IntOption{&Config::direct_chat_cache_max, 1, 100000000},
     "direct chats (by user pair) each writer remembers; the cache is cleared when full"},
    {"batch_linger_ms", IntOption{&Config::batch_linger_ms, 0, 10000},
     "under load, a batch waits until its oldest message has been queued this long (or it is full)"},
    {"batch_idle_gap_us", IntOption{&Config::batch_idle_gap_us, 0, 10000000},
     "the linger ends early when no message arrived for this long (0: never)"},
    {"request_workers", IntOption{&Config::request_workers, 1, 64},
     "threads answering client requests, each with its own database session"},
    {"request_queue_capacity", IntOption{&Config::request_queue_capacity, 1, 1000000},
     "requests waiting for a request worker; beyond it they are answered `internal` (busy)"},
    {"max_payload_bytes", IntOption{&Config::max_payload_bytes, 1, 16777216},
     "larger messages are refused (nack too_large)"},
    {"edit_window_s", IntOption{&Config::edit_window_s, 0, kMaxInt},
     "how long after storing a text message its author may edit it (later: nack forbidden)"},
    {"webhook_url", &Config::webhook_url, "notification webhook (http/https); empty: notifications off"},
    {"webhook_timeout_ms", IntOption{&Config::webhook_timeout_ms, 1, 600000}, "per request"},
    {"webhook_max_attempts", IntOption{&Config::webhook_max_attempts, 1, 1000000}, "then a job is dropped"},
    {"webhook_backoff_first_ms", IntOption{&Config::webhook_backoff_first_ms, 1, 86400000}, "first retry pause"},
    {"webhook_backoff_max_ms", IntOption{&Config::webhook_backoff_max_ms, 1, 86400000}, "longest retry pause"},
    {"webhook_batch", IntOption{&Config::webhook_batch, 1, 10000}, "jobs claimed at once"},
    {"webhook_poll_ms", IntOption{&Config::webhook_poll_ms, 1, 600000}, "pause when no job is due"},
    {"search_index_batch", IntOption{&Config::search_index_batch, 0, 1000000},
     "messages the search indexer copies per transaction at most; 0: no search indexer in this bridge"},
    {"search_index_poll_ms", IntOption{&Config::search_index_poll_ms, 1, 600000},
     "the search indexer's pause once it has caught up (the most a message waits to be findable, plus a round)"},
    {"search_index_yield", IntOption{&Config::search_index_yield, 0, 100},
     "while the writers have messages waiting, the search indexer pauses this many times its last round's length "
     "(0: never yields)"},
    {"webhook_format", &Config::webhook_format,
     "matrix (a Matrix push gateway: POST .../_matrix/push/v1/notify) or legacy ({recipient,...} per job)"},
    {"push_content", &Config::push_content,
     "full, or event_id_only: no text, sender or chat name to the push services"},
    {"http_bind", &Config::http_bind, "address of /healthz and /metrics"},
    {"http_port", IntOption{&Config::http_port, 0, 65535}, "port of /healthz and /metrics; 0: off"},
    {"drain_timeout_ms", IntOption{&Config::drain_timeout_ms, 0, 600000}, "SIGTERM: time to store what is in memory"},
    {"log_level", &Config::log_level, "debug | info | warn | error"},
};

std::string set_option(Config& config, const std::string& raw_key, const std::string& value) {
  return settings::set_option<Config>(kOptions, config, raw_key, value);
}

std::string check(const Config& config) {
  if (config.database_url.empty()) return "database_url is not set (flag, config file or CHAT_DATABASE_URL)";
  if (config.mqtt_client_id.empty()) return "mqtt_client_id must not be empty";
  if (config.share_group.empty() || config.share_group.find_first_of("/+#") != std::string::npos) {
    return "share_group must be one topic level without wildcards";
  }
  if (!observability::parse_log_level(config.log_level)) return "log_level must be debug, info, warn or error";
  if (config.queue_capacity < config.writers) return "queue_capacity must be at least the number of writers";
  if (config.webhook_format != "matrix" && config.webhook_format != "legacy") {
    return "webhook_format must be matrix or legacy";
  }
  if (config.push_content != "full" && config.push_content != "event_id_only") {
    return "push_content must be full or event_id_only";
  }
  if (config.notifications_enabled()) {
    const auto target = split_url(config.webhook_url);
    if (!target) return "webhook_url must be an http:// or https:// URL";
    const std::string_view notify = protocol::push::kMatrixNotifyPath;
    if (config.matrix_webhook() && target->path != "/" &&
        (target->path.size() < notify.size() || target->path.substr(target->path.size() - notify.size()) != notify)) {
      return "webhook_url of a Matrix push gateway ends in " + std::string(notify) + " (or is just its origin)";
    }
  }
  return {};
}

}  // namespace

std::string apply_config_text(Config& config, const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object()) return "the config file is not a valid JSON object";
    for (const auto& [key, value] : json.items()) {
      std::string text_value;
      if (value.is_string()) {
        text_value = value.get<std::string>();
      } else if (value.is_number_integer()) {
        text_value = std::to_string(value.get<std::int64_t>());
      } else {
        return key + ": expected a string or an integer";
      }
      if (auto error = set_option(config, key, text_value); !error.empty()) return error;
    }
    return {};
  }
  return settings::apply_key_value_lines(
      text, [&](const std::string& key, const std::string& value) { return set_option(config, key, value); });
}

ConfigResult load_config(const std::vector<std::string>& args, const ConfigSources& sources) {
  ConfigResult result;
  Config& config = result.config;
  if (sources.getenv) {
    if (auto url = sources.getenv("CHAT_DATABASE_URL")) config.database_url = *url;
    if (auto uri = sources.getenv("CHAT_MQTT_URI")) config.mqtt_uri = *uri;
  }

  settings::load_command_line<Config>(result, args, sources, set_option, check, apply_config_text);
  return result;
}

std::string config_usage() {
  std::ostringstream out;
  out << "chat-bridge: stores every chat message in PostgreSQL and acks it to its sender,\n"
         "keeps receipts and presence, and sends push notifications (docs/bridge.md).\n\n"
         "usage: chat-bridge [--config FILE] [--KEY VALUE | --KEY=VALUE]...\n\n"
         "The config file is a JSON object or key = value lines (# comments). Flags win over\n"
         "the file, the file over the environment. Keys (flags may use - for _):\n";
  settings::print_options<Config>(out, kOptions, 26);
  return out.str();
}

}  // namespace chat::bridge
