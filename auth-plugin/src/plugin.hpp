#pragma once
// The plugin as mosquitto sees it: one object, the userdata of every
// callback, built by mosquitto_plugin_init and destroyed by
// mosquitto_plugin_cleanup (plugin_entry.cpp catches every exception around
// these calls). It turns mosquitto's events into the pure decisions of
// signin/acl/publish_gate and carries out what they say. Every method runs on
// the broker's only thread; the cache loader and the password verifier run on
// threads of their own and never call mosquitto.
#include "auth_cache.hpp"
#include "cache_loader.hpp"
#include "mailbox.hpp"
#include "options.hpp"
#include "publish_gate.hpp"
#include "signed_in_names.hpp"
#include "signin.hpp"
#include "stats.hpp"

#include "chat/storage/store.hpp"

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#include <cstdint>
#include <optional>
#include <string>

namespace chat::auth {

// The password sign-in's database session: opened on first use, used on the
// broker thread only, every statement bounded by statement_timeout. After a
// failure it is not asked again for a few seconds (password sign-ins are
// refused meanwhile; tokens do not need it).
class DatabaseLookup final : public CredentialLookup {
 public:
  explicit DatabaseLookup(std::string conninfo) : conninfo_(std::move(conninfo)) {}
  std::optional<storage::UserCredentials> find(std::string_view username) override;

 private:
  std::string conninfo_;
  std::optional<storage::Store> store_;
  std::int64_t retry_after_ns_ = 0;
};

class Plugin {
 public:
  Plugin(mosquitto_plugin_id_t* identifier, Options options);
  ~Plugin();
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  int on_basic_auth(const mosquitto_evt_basic_auth& event);
  int on_acl_check(const mosquitto_evt_acl_check& event);
  void on_tick();
  // Counts and logs a failure that made a callback deny.
  void internal_error(const char* where, const char* what) noexcept;

 private:
  std::optional<Principal> principal_of(const mosquitto* client) const;
  void send_nack(const mosquitto* client, const Principal& who, const std::string& nack);
  void drain_mailbox();
  void log_check_threads();
  void end_sessions(Uid uid, const std::string& announced_name);
  void publish_stats();
  void log_refusal(const char* client_id, const char* username, const std::string& reason);
  void register_callbacks();
  void unregister_callbacks() noexcept;

  mosquitto_plugin_id_t* identifier_;
  Options options_;
  Stats stats_;
  AuthCache cache_;
  Mailbox mailbox_;
  CacheLoader loader_;
  DatabaseLookup lookup_;
  PasswordVerifier verifier_;
  Authenticator authenticator_;
  PublishGate gate_;
  SignedInNames signed_in_names_;
  std::int64_t next_stats_ns_ = 0;
  std::int64_t next_prune_ns_ = 0;
  std::int64_t log_window_ns_ = 0;
  int log_lines_in_window_ = 0;
  std::uint64_t log_lines_suppressed_ = 0;
};

}  // namespace chat::auth
