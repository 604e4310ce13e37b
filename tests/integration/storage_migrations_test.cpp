#include "chat/storage/migrations.hpp"
#include "chat/testing/process.hpp"
#include "storage_test_env.hpp"

#include <atomic>
#include <thread>
#include <vector>

namespace chat::storage::testing {
namespace {

using chat::testing::run_command;

class MigrationsTest : public StorageTest {};

std::string expected_migrations_table() {
  std::string rows;
  for (const Migration& m : embedded_migrations()) {
    if (!rows.empty()) rows += '\n';
    rows += std::to_string(m.version) + "|" + std::string(m.name) + "|" + std::string(m.checksum);
  }
  return rows;
}

TEST_F(MigrationsTest, AppliesEverythingOnceAndRecordsIt) {
  const std::string db = new_empty_database();
  Store fresh(cluster().conninfo(db));
  EXPECT_EQ(fresh.schema_status().current_version, 0);

  const MigrationReport first = fresh.migrate();
  EXPECT_EQ(first.from_version, 0);
  EXPECT_EQ(first.to_version, latest_schema_version());
  ASSERT_EQ(first.applied.size(), embedded_migrations().size());
  EXPECT_EQ(first.applied.front(), 1);

  const MigrationReport second = fresh.migrate();
  EXPECT_EQ(second.from_version, latest_schema_version());
  EXPECT_EQ(second.to_version, latest_schema_version());
  EXPECT_TRUE(second.applied.empty());
  EXPECT_TRUE(fresh.schema_status().up_to_date());

  EXPECT_EQ(cluster().psql(db, "SELECT version, name, checksum FROM schema_migrations ORDER BY version"),
            expected_migrations_table());
  EXPECT_EQ(cluster().psql(db, "SELECT count(*) FROM schema_migrations WHERE applied_at <= now()"),
            std::to_string(embedded_migrations().size()));
  EXPECT_EQ(cluster().psql(db,
                           "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN "
                           "('users','devices','chats','chat_members','messages','message_client_ids',"
                           "'media','notification_outbox')"),
            "8");
}

TEST_F(MigrationsTest, TheSchemaIsUsableRightAfterMigrating) {
  const std::string db = new_empty_database();
  Store fresh(cluster().conninfo(db));
  fresh.migrate();
  NewUser user;
  user.username = "first";
  EXPECT_EQ(fresh.users().create(user).username, "first");
}

TEST_F(MigrationsTest, RefusesADatabaseWhoseMigrationWasEdited) {
  psql("UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 1");
  try {
    store().migrate();
    FAIL() << "a tampered checksum was accepted";
  } catch (const MigrationError& error) {
    EXPECT_NE(std::string(error.what()).find("0001_initial"), std::string::npos) << error.what();
  }
  EXPECT_THROW(store().schema_status(), MigrationError);
  // Refusing changed nothing.
  EXPECT_EQ(psql("SELECT checksum FROM schema_migrations WHERE version = 1"), std::string(64, '0'));
}

TEST_F(MigrationsTest, RefusesADatabaseNewerThanTheCode) {
  psql("INSERT INTO schema_migrations (version, name, checksum) VALUES (" +
       std::to_string(latest_schema_version() + 1) + ", 'from_the_future', 'x')");
  try {
    store().migrate();
    FAIL() << "a newer schema was accepted";
  } catch (const MigrationError& error) {
    EXPECT_NE(std::string(error.what()).find("newer"), std::string::npos) << error.what();
  }
}

TEST_F(MigrationsTest, ConcurrentRunnersApplyEachMigrationOnce) {
  const std::string db = new_empty_database();
  constexpr int kRunners = 4;
  std::atomic<int> applied{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> runners;
  for (int i = 0; i < kRunners; ++i) {
    runners.emplace_back([&] {
      try {
        Store own(cluster().conninfo(db));
        applied += static_cast<int>(own.migrate().applied.size());
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& runner : runners) runner.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(applied.load(), latest_schema_version());
  EXPECT_EQ(cluster().psql(db, "SELECT count(*) FROM schema_migrations"), std::to_string(latest_schema_version()));
}

TEST_F(MigrationsTest, ChatMigrateToolAppliesAndReports) {
  const std::string db = new_empty_database();
  const std::string conninfo = cluster().conninfo(db);

  auto first = run_command({CHAT_MIGRATE_PATH, conninfo});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("applied migration 0001_initial"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("schema version " + std::to_string(latest_schema_version())), std::string::npos);

  // Idempotent; the conninfo may come from the environment.
  auto second = run_command({"env", "CHAT_DATABASE_URL=" + conninfo, CHAT_MIGRATE_PATH});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(second.output.find("applied"), std::string::npos) << second.output;

  auto status = run_command({CHAT_MIGRATE_PATH, "--status", conninfo});
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("up to date"), std::string::npos) << status.output;
}

TEST_F(MigrationsTest, ChatMigrateToolFailsClearly) {
  auto usage = run_command({"env", "-u", "CHAT_DATABASE_URL", CHAT_MIGRATE_PATH});
  EXPECT_EQ(usage.exit_code, 2) << usage.output;

  auto unreachable = run_command({CHAT_MIGRATE_PATH, "host=127.0.0.1 port=1 user=postgres dbname=x connect_timeout=2"});
  EXPECT_EQ(unreachable.exit_code, 1) << unreachable.output;
  EXPECT_NE(unreachable.output.find("cannot connect"), std::string::npos) << unreachable.output;

  psql("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");
  auto refused = run_command({CHAT_MIGRATE_PATH, conninfo()});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("must never be edited"), std::string::npos) << refused.output;
}

}  // namespace
}  // namespace chat::storage::testing
