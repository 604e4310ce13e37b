// A Store: one connection, the entity stores over it, the schema, and the
// statistics that span the entities.
#include "chat/storage/store.hpp"

#include "media_queries.hpp"
#include "sql/admin_sql.hpp"

#include <utility>

namespace chat::storage {

Store::Store(std::string conninfo) : connection_(std::move(conninfo)) {}

Store::Store(Connection connection) : connection_(std::move(connection)) {}

MigrationReport Store::migrate() { return apply_migrations(connection_); }

SchemaStatus Store::schema_status() { return chat::storage::schema_status(connection_); }

PlatformStats Store::stats(int days) {
  if (days < 1 || days > 366) throw DbError(DbErrc::invalid_input, "stats: days must be 1..366");
  // One snapshot for all the numbers.
  TransactionOptions options;
  options.isolation = Isolation::repeatable_read;
  return connection_.transaction(
      [&](Connection& tx) {
        PlatformStats stats;
        const Row row = tx.execute(sql::kAdminStats).one();
        stats.users = row.int64("users");
        stats.disabled_users = row.int64("disabled_users");
        stats.deleted_users = row.int64("deleted_users");
        stats.online_users = row.int64("online_users");
        stats.online_devices = row.int64("online_devices");
        stats.chats = row.int64("chats");
        stats.groups = row.int64("groups");
        stats.direct_chats = row.int64("direct_chats");
        stats.messages = row.int64("messages");
        const MediaTotals media = detail::media_totals(tx);
        stats.media_files = media.files;
        stats.media_bytes = media.bytes;
        for (const Row day : tx.execute(sql::kAdminMessagesPerDay, days)) {
          stats.messages_per_day.push_back(DayCount{day.text("day"), day.int64("messages")});
        }
        return stats;
      },
      options);
}

}  // namespace chat::storage
