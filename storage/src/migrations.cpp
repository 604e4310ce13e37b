#include "chat/storage/migrations.hpp"

#include "connection_impl.hpp"
#include "sql/migrations_sql.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace chat::storage {
namespace {

// Advisory lock key of migration runs: "chat_mig" in ASCII. Any constant works
// as long as every version of the runner uses the same one.
constexpr std::int64_t kMigrationLockKey = 0x636861745f6d6967;

// Checks what the database recorded against what this build embeds and
// returns the database's version. Throws MigrationError when they disagree.
int verified_version(const Rows& applied) {
  const auto known = embedded_migrations();
  int version = 0;
  for (const Row row : applied) {
    const std::int64_t recorded = row.int64("version");
    if (recorded > latest_schema_version()) {
      throw MigrationError("the database schema is at version " + std::to_string(recorded) +
                           ", newer than this build knows (" + std::to_string(latest_schema_version()) +
                           "); refusing to run against it with older code");
    }
    if (recorded != version + 1) {
      throw MigrationError("schema_migrations is inconsistent: version " + std::to_string(version + 1) +
                           " is missing before " + std::to_string(recorded));
    }
    const Migration& migration = known[static_cast<std::size_t>(version)];
    if (row.text("checksum") != migration.checksum) {
      throw MigrationError("migration " + migration_label(migration) +
                           " differs from the one applied to this database (recorded checksum " + row.text("checksum") +
                           ", this build has " + std::string(migration.checksum) +
                           "); released migrations must never be edited");
    }
    ++version;
  }
  return version;
}

struct Step {
  int version_before = 0;
  std::optional<int> applied;
};

// One transaction: lock, look, apply at most one migration, record it.
Step apply_next(Connection& tx) {
  tx.execute(sql::kLockMigrations, kMigrationLockKey);
  tx.execute(sql::kCreateMigrationsTable);
  const int current = verified_version(tx.execute(sql::kAppliedMigrations));
  if (current == latest_schema_version()) return {current, std::nullopt};

  const Migration& next = embedded_migrations()[static_cast<std::size_t>(current)];
  auto& session = detail::ConnectionAccess::impl(tx);
  session.execute_script(next.sql, "migration " + migration_label(next));
  if (session.server_transaction_status() != PQTRANS_INTRANS) {
    throw MigrationError("migration " + migration_label(next) +
                         " ended its transaction; migrations must not contain COMMIT or ROLLBACK");
  }
  tx.execute(sql::kRecordMigration, next.version, next.name, next.checksum);
  return {current, next.version};
}

}  // namespace

std::string migration_label(const Migration& migration) {
  std::string number = std::to_string(migration.version);
  if (number.size() < 4) number.insert(0, 4 - number.size(), '0');
  return number + "_" + std::string(migration.name);
}

int latest_schema_version() noexcept { return static_cast<int>(embedded_migrations().size()); }

MigrationReport apply_migrations(Connection& connection) {
  // Running a step again is harmless (it re-reads what is applied under the
  // lock), so a COMMIT lost with the connection may be retried.
  TransactionOptions options;
  options.idempotent = true;

  MigrationReport report;
  for (bool first = true;; first = false) {
    const Step step = connection.transaction(apply_next, options);
    if (first) report.from_version = step.version_before;
    if (!step.applied) {
      report.to_version = step.version_before;
      return report;
    }
    report.applied.push_back(*step.applied);
  }
}

SchemaStatus schema_status(Connection& connection) {
  SchemaStatus status;
  status.latest_version = latest_schema_version();
  if (connection.execute(sql::kMigrationsTableExists).one().boolean("present")) {
    status.current_version = verified_version(connection.execute(sql::kAppliedMigrations));
  }
  return status;
}

}  // namespace chat::storage
