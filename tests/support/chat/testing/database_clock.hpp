#pragma once
// Two rows that must carry different times (the member who joined first, the
// messages before a time): instead of sleeping a guessed while between them,
// a test waits until the database's own clock has passed the first row's time,
// so that the next transaction's now() is later.
#include "chat/testing/environment.hpp"

#include <chrono>
#include <string>

namespace chat::testing {

// Polls `SELECT clock_timestamp() > (sql_time)` through `psql` (a fixture's
// psql: SQL in, psql -At's output back) until true, at most `timeout`.
// `sql_time` is a timestamptz expression, e.g. a subquery for the newest
// joined_at of a chat.
template <class Psql>
bool wait_database_clock_past(const Psql& psql, const std::string& sql_time,
                              std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  const std::string sql = "SELECT clock_timestamp() > (" + sql_time + ")";
  return wait_until([&] { return psql(sql) == "t"; }, timeout, std::chrono::milliseconds(1));
}

}  // namespace chat::testing
