#pragma once
// The bridge's configuration: defaults, then the environment (CHAT_DATABASE_URL,
// CHAT_MQTT_URI), then a config file (JSON object or key=value lines), then
// command-line flags (--key=value or --key value; dashes or underscores):
// each later source wins. `chat-bridge --help` lists every key.
#include "chat/protocol/limits.hpp"
#include "chat/settings/settings.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace chat::bridge {

struct Config {
  // database
  std::string database_url;       // libpq conninfo or URL (required)
  int db_backoff_first_ms = 100;  // retry after a database error: first pause...
  int db_backoff_max_ms = 5000;   // ...doubling up to this

  // MQTT
  std::string mqtt_uri = "tcp://127.0.0.1:1883";
  std::string mqtt_client_id = "chat-bridge";  // the session; the publisher uses {id}-pub
  std::string mqtt_username;
  std::string mqtt_password;
  std::string mqtt_password_file;  // read at start; wins over mqtt_password
  int mqtt_keepalive_s = 30;
  int mqtt_session_expiry_s = 7 * 24 * 3600;
  int mqtt_receive_maximum = 1000;  // unacked messages the broker may send at once
  // Publishes handed to Paho and not yet through (written, or acknowledged
  // for QoS 1): Paho's own queue has no bound while connected.
  int outbound_client_window = 1000;
  std::string share_group = "bridge";

  // message path
  int writers = 1;  // writer threads (each its own database session)
  // Messages held in memory, over all writers. Small on purpose: what waits
  // here waits for seconds when the bridge is slower than its input (20 000
  // at 3k msg/s was 7 s); the rest waits in the broker's session for the
  // bridge, and with the contract's window at the senders.
  int queue_capacity = 4000;
  int batch_max = 1000;  // messages per transaction at most
  // Under load (messages waiting when the writer comes back), a batch waits
  // until its oldest message has been queued this long, or it is full: bigger,
  // fewer transactions. An idle writer takes a message at once. docs/bridge.md,
  // "Batching".
  int batch_linger_ms = 5;
  // ...unless nothing arrived for this long: the senders wait for their acks.
  int batch_idle_gap_us = 250;
  int max_payload_bytes = static_cast<int>(protocol::limits::kMaxPayloadBytes);  // messages and requests
  int direct_chat_cache_max = 1'000'000;  // user pairs → direct chat, per writer; cleared when full
  // How long after storing a text message its author may edit it.
  int edit_window_s = static_cast<int>(protocol::limits::kDefaultEditWindowSeconds);

  // request path (beside the message path: its own queue, threads and sessions)
  int request_workers = 2;            // threads answering requests
  int request_queue_capacity = 1000;  // waiting requests; more are answered busy

  // notifications
  std::string webhook_url;  // empty: no notification jobs are written
  int webhook_timeout_ms = 5000;
  int webhook_max_attempts = 20;  // then the job is dropped (logged)
  int webhook_backoff_first_ms = 1000;
  int webhook_backoff_max_ms = 300000;
  int webhook_batch = 32;     // jobs claimed at once
  int webhook_poll_ms = 500;  // pause when nothing is due
  // The search indexer (docs/bridge.md, "Search"): messages copied into the
  // search table per transaction at most (0: no indexer in this bridge), and
  // the pause when it has caught up.
  int search_index_batch = 2000;
  int search_index_poll_ms = 200;
  int search_index_yield = 9;
  // "matrix": the Matrix push gateway API (POST …/_matrix/push/v1/notify with
  // the recipient's registered devices), what Sygnal and other gateways speak;
  // "legacy": one {"recipient",…} POST per job, for receivers of the first format.
  std::string webhook_format = "matrix";
  // "full", or "event_id_only": no text, sender or chat name leaves for the
  // push services (a device may also ask for it by its data.format).
  std::string push_content = "full";

  // operations
  std::string http_bind = "127.0.0.1";
  int http_port = 9102;            // /healthz and /metrics; 0: off
  int drain_timeout_ms = 15000;    // SIGTERM: time to store what is in memory
  std::string log_level = "info";  // debug | info | warn | error

  bool notifications_enabled() const { return !webhook_url.empty(); }
  bool matrix_webhook() const { return webhook_format == "matrix"; }
  bool push_event_id_only() const { return push_content == "event_id_only"; }
};

using ConfigResult = settings::LoadResult<Config>;
using ConfigSources = settings::Sources;

// args without argv[0]. Checks ranges and that database_url is set.
ConfigResult load_config(const std::vector<std::string>& args, const ConfigSources& sources);

// Parses the text of a config file into `config` (JSON when it starts with
// `{`, key=value lines with # comments otherwise). An error text or empty.
std::string apply_config_text(Config& config, const std::string& text);

std::string config_usage();

}  // namespace chat::bridge
