#pragma once
// The plugin's counters, for operators: a log line every stats_interval and a
// retained JSON document on stats_topic that only the service account may
// read. Counted on the broker thread only.
#include <cstdint>
#include <string>

namespace chat::auth {

struct Stats {
  // sign-ins
  std::uint64_t signin_token = 0;
  std::uint64_t signin_password = 0;         // verified against the database
  std::uint64_t signin_password_cached = 0;  // remembered password, no query
  std::uint64_t signin_service = 0;
  std::uint64_t signin_refused = 0;
  std::uint64_t signin_retry = 0;      // not checked now: "try again" (budget, database, cache)
  std::uint64_t password_queries = 0;  // database lookups for a password sign-in
  std::uint64_t password_query_failures = 0;
  std::uint64_t password_throttled = 0;          // "try again": a lookup or PBKDF2 budget was spent, or the queue full
  std::uint64_t password_account_throttled = 0;  // of those: the account's own check budget was spent
  std::uint64_t password_checks_filed = 0;       // PBKDF2 checks handed to the verifier's threads
  // ACL
  std::uint64_t denied_read = 0;
  std::uint64_t denied_write = 0;
  std::uint64_t denied_subscribe = 0;
  // edge validation
  std::uint64_t rejected_bad_request = 0;
  std::uint64_t rejected_too_large = 0;
  std::uint64_t rejected_rate_limited = 0;
  std::uint64_t nacks_sent = 0;
  std::uint64_t nacks_suppressed = 0;  // over the user's nack budget
  // operations
  std::uint64_t users_kicked = 0;
  std::uint64_t internal_errors = 0;
};

struct CacheStats {
  bool ready = false;
  bool db_connected = false;
  std::uint64_t groups = 0;
  std::uint64_t memberships = 0;
  std::uint64_t refused_users = 0;
  std::uint64_t blocks = 0;
  std::uint64_t changes_applied = 0;
  std::uint64_t snapshots_loaded = 0;
  std::uint64_t remembered_passwords = 0;
};

std::string stats_json(const Stats& stats, const CacheStats& cache, std::int64_t now_ms);
std::string stats_line(const Stats& stats, const CacheStats& cache);

}  // namespace chat::auth
