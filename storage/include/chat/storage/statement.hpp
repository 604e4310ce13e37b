#pragma once
// A named SQL statement, prepared once per connection and then executed with
// parameters only. Statements are compile-time constants (see src/sql/): the
// data layer never builds SQL from runtime strings.
#include <string_view>

namespace chat::storage {

struct Statement {
  // The prepared statement's name on every connection; unique across the
  // program ("area.action", e.g. "users.find_by_id"). Two different SQL texts
  // under one name are caught at execution and throw std::logic_error.
  std::string_view name;
  // Exactly one SQL statement, parameters $1..$n, explicit casts ($1::bigint)
  // so the server never has to guess a type.
  std::string_view sql;
  // Planned for each execution instead of prepared once. For lookups into
  // tables that grow from empty under the statement: PostgreSQL keeps a
  // prepared statement's generic plan until the table is analyzed, so a plan
  // made while the table was tiny (a sequential scan) can run against a
  // table thousands of times larger (measured on the message path: a dedup
  // lookup at 1.5 ms instead of 0.02 ms until autovacuum caught up).
  bool plan_each_time = false;
};

}  // namespace chat::storage
