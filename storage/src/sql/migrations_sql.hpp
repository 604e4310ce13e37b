#pragma once
// Statements of the migration runner.
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

// Serializes migration runs across processes; released with the transaction.
inline constexpr Statement kLockMigrations{"migrations.lock", "SELECT pg_advisory_xact_lock($1::bigint)"};

// The runner's own bookkeeping, created before any migration can be applied.
inline constexpr Statement kCreateMigrationsTable{"migrations.create_table",
                                                  R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY CHECK (version > 0),
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
))sql"};

inline constexpr Statement kMigrationsTableExists{"migrations.table_exists",
                                                  "SELECT to_regclass('schema_migrations') IS NOT NULL AS present"};

inline constexpr Statement kAppliedMigrations{"migrations.applied",
                                              "SELECT version, name, checksum FROM schema_migrations ORDER BY version"};

inline constexpr Statement kRecordMigration{
    "migrations.record",
    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1::integer, $2::text, $3::text)"};

}  // namespace chat::storage::sql
