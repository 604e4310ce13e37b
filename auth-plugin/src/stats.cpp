#include "stats.hpp"

#include <nlohmann/json.hpp>

namespace chat::auth {

std::string stats_json(const Stats& s, const CacheStats& c, std::int64_t now_ms) {
  using nlohmann::json;
  json doc = {
      {"ts", now_ms},
      {"signins",
       {{"token", s.signin_token},
        {"password", s.signin_password},
        {"password_cached", s.signin_password_cached},
        {"service", s.signin_service},
        {"refused", s.signin_refused},
        {"retry", s.signin_retry}}},
      {"password_queries",
       {{"total", s.password_queries},
        {"failed", s.password_query_failures},
        {"throttled", s.password_throttled},
        {"account_throttled", s.password_account_throttled},
        {"checks_filed", s.password_checks_filed}}},
      {"acl_denied", {{"read", s.denied_read}, {"write", s.denied_write}, {"subscribe", s.denied_subscribe}}},
      {"rejected",
       {{"bad_request", s.rejected_bad_request},
        {"too_large", s.rejected_too_large},
        {"rate_limited", s.rejected_rate_limited}}},
      {"nacks", {{"sent", s.nacks_sent}, {"suppressed", s.nacks_suppressed}}},
      {"users_kicked", s.users_kicked},
      {"internal_errors", s.internal_errors},
      {"cache",
       {{"ready", c.ready},
        {"db_connected", c.db_connected},
        {"groups", c.groups},
        {"memberships", c.memberships},
        {"refused_users", c.refused_users},
        {"blocks", c.blocks},
        {"changes_applied", c.changes_applied},
        {"snapshots_loaded", c.snapshots_loaded},
        {"remembered_passwords", c.remembered_passwords}}},
  };
  return doc.dump();
}

std::string stats_line(const Stats& s, const CacheStats& c) {
  auto n = [](std::uint64_t value) { return std::to_string(value); };
  return "chat-auth stats: signins token=" + n(s.signin_token) + " password=" + n(s.signin_password) +
         " password_cached=" + n(s.signin_password_cached) + " service=" + n(s.signin_service) +
         " refused=" + n(s.signin_refused) + " retry=" + n(s.signin_retry) +
         "; password queries=" + n(s.password_queries) + " failed=" + n(s.password_query_failures) +
         " throttled=" + n(s.password_throttled) + " account_throttled=" + n(s.password_account_throttled) +
         " checks_filed=" + n(s.password_checks_filed) + "; acl denied read=" + n(s.denied_read) +
         " write=" + n(s.denied_write) + " subscribe=" + n(s.denied_subscribe) +
         "; rejected bad_request=" + n(s.rejected_bad_request) + " too_large=" + n(s.rejected_too_large) +
         " rate_limited=" + n(s.rejected_rate_limited) + "; nacks sent=" + n(s.nacks_sent) +
         " suppressed=" + n(s.nacks_suppressed) + "; kicked=" + n(s.users_kicked) +
         " internal_errors=" + n(s.internal_errors) + "; cache ready=" + (c.ready ? "yes" : "no") +
         " db=" + (c.db_connected ? "up" : "down") + " groups=" + n(c.groups) + " memberships=" + n(c.memberships) +
         " refused_users=" + n(c.refused_users) + " blocks=" + n(c.blocks) + " changes=" + n(c.changes_applied) +
         " snapshots=" + n(c.snapshots_loaded);
}

}  // namespace chat::auth
