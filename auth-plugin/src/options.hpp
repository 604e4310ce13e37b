#pragma once
// The plugin's options (plugin_opt_* lines of mosquitto.conf), parsed and
// validated once at load. Every problem is collected, so an operator sees all
// of them in one failed start; the plugin refuses to load on any of them.
// docs/auth-plugin.md lists the options.
#include "chat/protocol/limits.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chat::auth {

inline constexpr int kMaxPasswordCheckThreads = 16;

// The machine's cores (std::thread::hardware_concurrency), within 1 and
// kMaxPasswordCheckThreads: idle-priority checks may use every idle core.
int default_password_check_threads() noexcept;

struct Options {
  // Database: libpq conninfo (key=value or postgresql:// URI), inline or from a file.
  std::string db_conninfo;
  std::chrono::milliseconds db_statement_timeout{300};  // password lookups on the broker thread
  int db_connect_timeout_s = 2;                         // libpq's minimum is 2
  std::chrono::milliseconds startup_wait{5000};         // wait for the first cache load at start

  std::string jwt_secret;  // from jwt_secret_file

  // The bridge's account: any client id that is not a user's `{uid}:{device}`.
  std::string service_username;
  std::string service_password_hash;  // $pbkdf2-sha512$...

  std::chrono::seconds password_cache_ttl{900};
  std::size_t password_cache_size = 100000;
  // PBKDF2 verifications on cache misses, all users together, counted in
  // verifications of the default cost (210 000 iterations): a hash of 1 000
  // iterations takes 1/210 of one. The checks run at idle CPU priority, so
  // this bounds password guessing (and the queue), not the services' CPU:
  // docs/security.md says why 20 and 100.
  double password_checks_per_s = 20;
  double password_checks_burst = 100;
  // The same checks per account, whatever the hash's cost: a flood of guesses
  // at one account gets `burst` checks at once, then `per_min` a minute (the
  // admin server's sign-in allows about as many), not the whole budget above.
  double password_checks_per_user_per_min = 10;
  double password_checks_per_user_burst = 10;
  // Threads that run those verifications, off the broker's thread, at idle
  // CPU priority: a CONNECT whose password is not verified yet is told to try
  // again, and its retry finds the answer (password_verifier.hpp). Default:
  // one per core.
  int password_check_threads = default_password_check_threads();
  // Credential queries of password sign-ins (one indexed lookup each, ~0.1 ms):
  // a budget of its own, so unknown usernames never spend PBKDF2 checks.
  double password_lookups_per_s = 100;
  double password_lookups_burst = 200;
  // Tokens whose exp - iat is longer are refused: a stolen token is worth a
  // month at most, and a revocation (migration 0006) is kept for that long.
  std::int64_t max_token_lifetime_s = 30 * 86400;

  std::size_t max_payload_bytes = protocol::limits::kMaxPayloadBytes;
  double publish_rate_per_s = 20;  // per user, all its devices together
  double publish_burst = 100;

  std::chrono::seconds stats_interval{60};
  std::string stats_topic = "$SYS/broker/chat-auth/stats";
  bool kick_disabled_users = true;
};

struct OptionsResult {
  std::optional<Options> options;   // set when errors is empty
  std::vector<std::string> errors;  // every problem, in option order
};

// Reads a file's content for *_file options; nullopt with `error` set when it
// cannot. Injected so the parser stays pure.
using FileReader = std::function<std::optional<std::string>(const std::string& path, std::string& error)>;

// `raw` holds (key, value) with the "plugin_opt_" prefix already removed, as
// mosquitto passes them.
OptionsResult parse_options(const std::vector<std::pair<std::string, std::string>>& raw, const FileReader& read_file);

// `conninfo` with libpq parameters appended (they win over earlier ones), in
// key=value or URI form to match it.
std::string append_conninfo_params(std::string_view conninfo,
                                   const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace chat::auth
