#pragma once
// Versioned schema migrations, compiled into the library from
// storage/migrations/NNNN_name.sql.
//
// apply_migrations() brings a database to the newest version this build
// knows. Each pending migration runs in its own transaction, under a
// transaction-scoped advisory lock (two processes starting at once apply each
// migration once, the second waits and then finds nothing to do), and is
// recorded in schema_migrations with its version, name, SHA-256 and time.
// A database this build cannot safely run against is refused with
// MigrationError: one whose recorded checksum differs from the embedded file
// (a released migration was edited), or one at a newer version than the code.
#include "chat/storage/connection.hpp"

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace chat::storage {

struct Migration {
  int version;                // NNNN of the file name; versions are 1, 2, 3, ...
  std::string_view name;      // the rest of the file name, without ".sql"
  std::string_view checksum;  // SHA-256 of the file, lowercase hex
  std::string_view sql;
};

// In version order.
std::span<const Migration> embedded_migrations() noexcept;
int latest_schema_version() noexcept;

// "0001_initial": the migration's file name without ".sql".
std::string migration_label(const Migration& migration);

class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<int> applied;  // versions applied by this call, in order
};

struct SchemaStatus {
  int current_version = 0;  // 0: no migration applied yet
  int latest_version = 0;   // what this build knows
  bool up_to_date() const { return current_version == latest_version; }
};

// Idempotent: on an up-to-date database it only checks.
MigrationReport apply_migrations(Connection& connection);

// Reads and verifies without changing anything; throws MigrationError like
// apply_migrations when the database is not one this build can run against.
SchemaStatus schema_status(Connection& connection);

}  // namespace chat::storage
