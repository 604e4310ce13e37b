#include "plugin.hpp"

#include "chat/protocol/topics.hpp"
#include "chat/storage/errors.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string_view>

namespace chat::auth {
namespace {

constexpr std::int64_t kSecondNs = 1'000'000'000;
constexpr std::int64_t kDatabaseRetryNs = 2 * kSecondNs;
constexpr std::int64_t kPruneEveryNs = 60 * kSecondNs;
constexpr int kRefusalLogLinesPerSecond = 10;

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t wall_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void log_line(int level, const std::string& line) noexcept { mosquitto_log_printf(level, "%s", line.c_str()); }

std::string with_params(const std::string& conninfo, const char* application, const Options& options,
                        bool statement_timeout) {
  std::vector<std::pair<std::string, std::string>> params = {
      {"application_name", application},
      {"connect_timeout", std::to_string(options.db_connect_timeout_s)},
  };
  if (statement_timeout) {
    params.emplace_back("options", "-c statement_timeout=" + std::to_string(options.db_statement_timeout.count()));
  }
  return append_conninfo_params(conninfo, params);
}

// The callbacks mosquitto calls; each catches everything (no exception may
// cross into C) and denies on any failure.
int basic_auth_callback(int /*event*/, void* event_data, void* userdata) {
  auto* plugin = static_cast<Plugin*>(userdata);
  try {
    return plugin->on_basic_auth(*static_cast<const mosquitto_evt_basic_auth*>(event_data));
  } catch (const std::exception& error) {
    plugin->internal_error("sign-in", error.what());
  } catch (...) {
    plugin->internal_error("sign-in", "unknown exception");
  }
  return MOSQ_ERR_AUTH;
}

int acl_check_callback(int /*event*/, void* event_data, void* userdata) {
  auto* plugin = static_cast<Plugin*>(userdata);
  try {
    return plugin->on_acl_check(*static_cast<const mosquitto_evt_acl_check*>(event_data));
  } catch (const std::exception& error) {
    plugin->internal_error("ACL check", error.what());
  } catch (...) {
    plugin->internal_error("ACL check", "unknown exception");
  }
  return MOSQ_ERR_ACL_DENIED;
}

int tick_callback(int /*event*/, void* /*event_data*/, void* userdata) {
  auto* plugin = static_cast<Plugin*>(userdata);
  try {
    plugin->on_tick();
  } catch (const std::exception& error) {
    plugin->internal_error("tick", error.what());
  } catch (...) {
    plugin->internal_error("tick", "unknown exception");
  }
  return MOSQ_ERR_SUCCESS;
}

}  // namespace

std::optional<storage::UserCredentials> DatabaseLookup::find(std::string_view username) {
  const std::int64_t now = steady_ns();
  if (now < retry_after_ns_) throw std::runtime_error("database unavailable, retrying shortly");
  try {
    if (!store_) store_.emplace(conninfo_);
    return store_->auth().find_credentials(username);
  } catch (const storage::DbError&) {
    retry_after_ns_ = now + kDatabaseRetryNs;
    throw;
  }
}

Plugin::Plugin(mosquitto_plugin_id_t* identifier, Options options)
    : identifier_(identifier),
      options_(std::move(options)),
      loader_(with_params(options_.db_conninfo, "chat-auth-cache", options_, false), cache_, mailbox_),
      lookup_(with_params(options_.db_conninfo, "chat-auth-signin", options_, true)),
      verifier_(static_cast<std::size_t>(options_.password_check_threads)),
      authenticator_(options_, cache_, lookup_, verifier_, stats_, steady_ns()),
      gate_(options_, cache_, stats_) {
  loader_.start();
  if (!loader_.wait_ready(options_.startup_wait)) {
    log_line(MOSQ_LOG_WARNING,
             "chat-auth: the membership cache is not loaded yet (database unreachable?); user sign-ins are "
             "refused until it is");
  }
  log_check_threads();
  drain_mailbox();
  register_callbacks();
  const std::int64_t now = steady_ns();
  next_stats_ns_ = now;  // a first stats document at once, then every interval
  next_prune_ns_ = now + kPruneEveryNs;
  log_line(MOSQ_LOG_INFO, "chat-auth: plugin loaded; service account \"" + options_.service_username + "\"");
}

// Once, at load: the checks' budget assumes idle priority (docs/security.md),
// so an operator must hear when the OS refused it. The plugin runs anyway.
void Plugin::log_check_threads() {
  const auto workers = verifier_.workers();
  std::size_t idle = 0;
  std::string refused;
  for (const auto& worker : workers) {
    if (worker.priority == ThreadPriority::idle) {
      ++idle;
    } else if (refused.empty()) {
      refused = describe(worker.priority);
    }
  }
  const std::string threads = std::to_string(workers.size()) + " password checking thread(s)";
  if (refused.empty()) {
    log_line(MOSQ_LOG_INFO, "chat-auth: " + threads + " at idle CPU priority (SCHED_IDLE)");
  } else {
    log_line(MOSQ_LOG_WARNING, "chat-auth: " + threads + ", " + std::to_string(idle) +
                                   " at idle CPU priority, the others " + refused +
                                   ": password checks compete with the broker for CPU");
  }
}

Plugin::~Plugin() {
  unregister_callbacks();
  verifier_.stop();  // waits for a check under way (at most one PBKDF2 run per thread)
  loader_.stop();
}

void Plugin::register_callbacks() {
  struct Registration {
    int event;
    MOSQ_FUNC_generic_callback callback;
  };
  const Registration registrations[] = {
      {MOSQ_EVT_BASIC_AUTH, basic_auth_callback},
      {MOSQ_EVT_ACL_CHECK, acl_check_callback},
      {MOSQ_EVT_TICK, tick_callback},
  };
  for (const auto& r : registrations) {
    const int rc = mosquitto_callback_register(identifier_, r.event, r.callback, nullptr, this);
    if (rc != MOSQ_ERR_SUCCESS) {
      unregister_callbacks();
      throw std::runtime_error("mosquitto_callback_register failed for event " + std::to_string(r.event) + ": " +
                               mosquitto_strerror(rc));
    }
  }
}

void Plugin::unregister_callbacks() noexcept {
  // Unregistering what was never registered only answers MOSQ_ERR_NOT_FOUND.
  mosquitto_callback_unregister(identifier_, MOSQ_EVT_TICK, tick_callback, nullptr);
  mosquitto_callback_unregister(identifier_, MOSQ_EVT_ACL_CHECK, acl_check_callback, nullptr);
  mosquitto_callback_unregister(identifier_, MOSQ_EVT_BASIC_AUTH, basic_auth_callback, nullptr);
}

void Plugin::internal_error(const char* where, const char* what) noexcept {
  ++stats_.internal_errors;
  try {
    log_line(MOSQ_LOG_ERR, std::string("chat-auth: internal error in ") + where + " (denied): " + what);
  } catch (...) {
  }
}

void Plugin::log_refusal(const char* client_id, const char* username, const std::string& reason) {
  const std::int64_t now = steady_ns();
  if (now - log_window_ns_ >= kSecondNs) {
    if (log_lines_suppressed_ > 0) {
      log_line(MOSQ_LOG_NOTICE, "chat-auth: " + std::to_string(log_lines_suppressed_) +
                                    " more sign-ins refused (not logged one by one)");
    }
    log_window_ns_ = now;
    log_lines_in_window_ = 0;
    log_lines_suppressed_ = 0;
  }
  if (log_lines_in_window_ >= kRefusalLogLinesPerSecond) {
    ++log_lines_suppressed_;
    return;
  }
  ++log_lines_in_window_;
  log_line(MOSQ_LOG_NOTICE, std::string("chat-auth: refused sign-in of client \"") +
                                (client_id != nullptr ? client_id : "") + "\" as \"" +
                                (username != nullptr ? username : "") + "\": " + reason);
}

int Plugin::on_basic_auth(const mosquitto_evt_basic_auth& event) {
  if (mailbox_.pending()) drain_mailbox();  // forget changed passwords before checking one
  const char* client_id = mosquitto_client_id(event.client);
  const SignInRequest request{event.username, event.password, client_id};
  const SignInResult result = authenticator_.sign_in(request, wall_s(), steady_ns());
  if (result.kind == SignInResult::Kind::retry) {
    // "Server unavailable", so that the client tries again rather than
    // telling its user the password is wrong. Mosquitto 2.0.11 maps a basic
    // auth plugin's answer to CONNACK 5 / 0x87 (MOSQ_ERR_AUTH) or to closing
    // the connection without CONNACK (any other error); it has no way to send
    // CONNACK 3 / 0x89. A connection closed before CONNACK is what every
    // client library treats as a passing network failure and retries.
    log_refusal(client_id, event.username, "try again: " + result.reason);
    return MOSQ_ERR_UNKNOWN;
  }
  if (!result.ok()) {
    log_refusal(client_id, event.username, result.reason);
    return MOSQ_ERR_AUTH;
  }
  if (result.canonical_name) {
    // "Alice" signs in as "alice": one account, one name in the broker.
    const int rc = mosquitto_set_username(event.client, result.canonical_name->c_str());
    if (rc != MOSQ_ERR_SUCCESS) {
      internal_error("sign-in", "mosquitto_set_username failed");
      return MOSQ_ERR_AUTH;
    }
  }
  if (result.kind != SignInResult::Kind::service) {
    signed_in_names_.note(result.uid, result.canonical_name ? *result.canonical_name : std::string(event.username));
  }
  return MOSQ_ERR_SUCCESS;
}

std::optional<Principal> Plugin::principal_of(const mosquitto* client) const {
  // The service account is known by its username, which no user can have
  // (options.cpp); a user by the uid of its client id, checked at sign-in and
  // kept with its session (also a persistent one restored after a restart).
  const char* username = mosquitto_client_username(client);
  if (username != nullptr && options_.service_username == username) return Principal::service();
  const char* id = mosquitto_client_id(client);
  if (id == nullptr || username == nullptr) return std::nullopt;
  const auto parsed = parse_client_id(id);
  if (!parsed) return std::nullopt;
  return Principal::user(parsed->uid, parsed->uid_text);
}

int Plugin::on_acl_check(const mosquitto_evt_acl_check& event) {
  if (event.access == MOSQ_ACL_UNSUBSCRIBE) return MOSQ_ERR_SUCCESS;
  const auto who = principal_of(event.client);
  const bool user = who && who->role == Principal::Role::user;
  const bool allowed_user = user && !cache_.is_refused(who->uid);
  if (event.topic == nullptr || !who || (user && !allowed_user)) {
    if (event.access == MOSQ_ACL_WRITE) {
      ++stats_.denied_write;
    } else if (event.access == MOSQ_ACL_SUBSCRIBE) {
      ++stats_.denied_subscribe;
    } else {
      ++stats_.denied_read;
    }
    return MOSQ_ERR_ACL_DENIED;
  }
  const std::string_view topic(event.topic);
  switch (event.access) {
    case MOSQ_ACL_READ:
      if (check_access(*who, Access::read, topic, cache_).allowed) return MOSQ_ERR_SUCCESS;
      ++stats_.denied_read;
      return MOSQ_ERR_ACL_DENIED;
    case MOSQ_ACL_SUBSCRIBE:
      if (check_access(*who, Access::subscribe, topic, cache_).allowed) return MOSQ_ERR_SUCCESS;
      ++stats_.denied_subscribe;
      return MOSQ_ERR_ACL_DENIED;
    case MOSQ_ACL_WRITE: {
      // Validation happens here rather than in MOSQ_EVT_MESSAGE: mosquitto
      // 2.0.11 runs this check for every PUBLISH and for every will it is about
      // to send, but MESSAGE for PUBLISH packets only, so a will could carry an
      // unchecked payload into dm/.../msg/... A deny here answers a v5
      // publisher with reason 135, as a MESSAGE deny would.
      const std::string_view payload(static_cast<const char*>(event.payload),
                                     event.payload != nullptr ? event.payloadlen : 0);
      const WriteVerdict verdict = gate_.check(*who, topic, payload, event.retain, steady_ns());
      if (!verdict.nack.empty()) send_nack(event.client, *who, verdict.nack);
      return verdict.allowed ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
    }
    default:
      return MOSQ_ERR_ACL_DENIED;
  }
}

void Plugin::send_nack(const mosquitto* client, const Principal& who, const std::string& nack) {
  // To the publishing connection only (its other devices did not send it),
  // on u/{uid}/ev, QoS 1, whether or not it subscribed there.
  const char* client_id = mosquitto_client_id(client);
  if (client_id == nullptr) return;
  const std::string topic = protocol::event_topic(who.uid_text);
  const int rc = mosquitto_broker_publish_copy(client_id, topic.c_str(), static_cast<int>(nack.size()), nack.data(), 1,
                                               false, nullptr);
  if (rc != MOSQ_ERR_SUCCESS) internal_error("nack", mosquitto_strerror(rc));
}

void Plugin::drain_mailbox() {
  for (const MailItem& item : mailbox_.take()) {
    switch (item.kind) {
      case MailItem::Kind::log_info:
        log_line(MOSQ_LOG_INFO, item.text);
        break;
      case MailItem::Kind::log_warning:
        log_line(MOSQ_LOG_WARNING, item.text);
        break;
      case MailItem::Kind::forget_password:
        authenticator_.forget_password(item.uid, item.text);
        break;
      case MailItem::Kind::forget_all_passwords:
        authenticator_.forget_all_passwords();
        log_line(MOSQ_LOG_NOTICE, "chat-auth: cache reloaded after a database outage: remembered passwords forgotten");
        break;
      case MailItem::Kind::end_sessions:
        end_sessions(item.uid, item.text);
        break;
      case MailItem::Kind::refuse_user:
        if (options_.kick_disabled_users && !item.text.empty()) {
          // Every connection signed in under that (folded) username. Their
          // sessions stay; signing in again is refused.
          if (mosquitto_kick_client_by_username(item.text.c_str(), false) == MOSQ_ERR_SUCCESS) {
            ++stats_.users_kicked;
          }
          log_line(MOSQ_LOG_NOTICE, "chat-auth: user " + std::to_string(item.uid) + " (" + item.text +
                                        ") was disabled or deleted: disconnected");
        }
        break;
    }
  }
}

void Plugin::end_sessions(Uid uid, const std::string& announced_name) {
  // Every connection under the user's names: they signed in with a token of
  // before the revocation or a password of before the change (or, within the
  // milliseconds the announcement takes, with new credentials: such a client
  // is disconnected once and its next sign-in is accepted). Their sessions
  // stay; signing in again needs credentials that still hold.
  std::vector<std::string> names = signed_in_names_.of(uid);
  if (!announced_name.empty() && std::find(names.begin(), names.end(), announced_name) == names.end()) {
    names.push_back(announced_name);
  }
  for (const std::string& name : names) {
    if (mosquitto_kick_client_by_username(name.c_str(), false) == MOSQ_ERR_SUCCESS) ++stats_.users_kicked;
  }
  if (!names.empty()) {
    log_line(MOSQ_LOG_NOTICE, "chat-auth: user " + std::to_string(uid) +
                                  " changed its password or was signed out everywhere: disconnected");
  }
}

void Plugin::publish_stats() {
  CacheStats cache;
  const auto counts = cache_.counts();
  cache.ready = cache_.ready();
  cache.db_connected = loader_.connected();
  cache.groups = counts.groups;
  cache.memberships = counts.memberships;
  cache.refused_users = counts.refused_users;
  cache.blocks = counts.blocks;
  cache.changes_applied = loader_.changes_applied();
  cache.snapshots_loaded = loader_.snapshots_loaded();
  cache.remembered_passwords = authenticator_.remembered_passwords();
  const std::string doc = stats_json(stats_, cache, wall_ms());
  const int rc = mosquitto_broker_publish_copy(nullptr, options_.stats_topic.c_str(), static_cast<int>(doc.size()),
                                               doc.data(), 0, true, nullptr);
  if (rc != MOSQ_ERR_SUCCESS) internal_error("stats", mosquitto_strerror(rc));
  log_line(MOSQ_LOG_NOTICE, stats_line(stats_, cache));
}

void Plugin::on_tick() {
  if (mailbox_.pending()) drain_mailbox();
  const std::int64_t now = steady_ns();
  if (options_.stats_interval.count() > 0 && now >= next_stats_ns_) {
    publish_stats();
    next_stats_ns_ = now + options_.stats_interval.count() * kSecondNs;
  }
  if (now >= next_prune_ns_) {
    gate_.prune(now, kPruneEveryNs);
    next_prune_ns_ = now + kPruneEveryNs;
  }
}

}  // namespace chat::auth
