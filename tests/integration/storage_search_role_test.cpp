// The search indexer's merge of the index's pending list
// (gin_clean_pending_list, which needs the index's owner) as the database
// role the bridge runs as. On a fresh install scripts/stack creates a plain
// login role (no superuser), makes it the database's owner, runs chat-migrate
// as it and gives the bridge its conninfo: the merge must run there, without
// error. A role that does not own the search table gets its rounds done and
// is told the merge was refused; granting it the owner's role (the fix
// docs/bridge.md gives) lets it merge.
#include "chat/testing/process.hpp"
#include "storage_test_env.hpp"

namespace chat::storage::testing {
namespace {

class SearchMergeRoleTest : public StorageTest {
 protected:
  // A login role as scripts/stack creates `chat` (cluster-wide, so created
  // once per cluster).
  void create_role(const std::string& role) {
    cluster().psql("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + role +
                                   "') THEN CREATE ROLE " + role + " LOGIN; END IF; END $$");
  }
  std::string conninfo_as(const std::string& db, const std::string& role) {
    return cluster().conninfo(db) + " user=" + role;  // libpq: the last user= wins
  }
  // A database owned by `owner`, migrated by chat-migrate as `owner`, as
  // scripts/stack does.
  std::string stack_database(const std::string& owner) {
    create_role(owner);
    std::string db = new_empty_database();
    cluster().psql("postgres", "ALTER DATABASE " + db + " OWNER TO " + owner);
    const auto migrated = chat::testing::run_command({CHAT_MIGRATE_PATH, conninfo_as(db, owner)});
    EXPECT_EQ(migrated.exit_code, 0) << migrated.output;
    return db;
  }
  // Three messages in a direct chat, stored through `store`.
  static void store_messages(Store& store) {
    NewUser a;
    a.username = "anna";
    NewUser b;
    b.username = "ben";
    const UserId anna = store.users().create(a).id;
    const UserId ben = store.users().create(b).id;
    const Chat chat = store.chats().open_direct(anna, ben);
    std::vector<NewMessage> batch;
    for (int i = 0; i < 3; ++i) {
      batch.push_back({chat.id, anna, "m" + std::to_string(i), MessageType::text,
                       R"({"text":"osprey sighting )" + std::to_string(i) + R"("})"});
    }
    for (const auto& result : store.messages().append_messages(batch)) ASSERT_TRUE(result.accepted());
  }
  // The pages of the search index's pending list, read as the superuser
  // (pgstattuple), not through the code under test.
  std::string pending_pages(const std::string& db) {
    cluster().psql(db, "CREATE EXTENSION IF NOT EXISTS pgstattuple");
    return cluster().psql(db, "SELECT pending_pages FROM pgstatginindex('message_search_text_idx')");
  }
};

TEST_F(SearchMergeRoleTest, TheRoleThatRanTheMigrationsMergesThePendingList) {
  const std::string db = stack_database("chat_stack");
  ASSERT_EQ(cluster().psql(db, "SELECT rolsuper FROM pg_roles WHERE rolname = 'chat_stack'"), "f");
  Store store(conninfo_as(db, "chat_stack"));
  store_messages(store);

  const SearchIndexRound round = store.messages().index_for_search(100);
  ASSERT_TRUE(round.ran);
  EXPECT_EQ(round.changed, 3);
  EXPECT_FALSE(round.merge_refused);
  EXPECT_GT(round.merged_pages, 0);  // the round's entries were in the pending list
  EXPECT_EQ(pending_pages(db), "0");
}

TEST_F(SearchMergeRoleTest, AnotherRoleIndexesAndIsToldTheMergeIsRefusedUntilGrantedTheOwnersRole) {
  const std::string db = stack_database("chat_owner");
  create_role("chat_other");
  cluster().psql("postgres", "REVOKE chat_owner FROM chat_other");  // from an earlier --gtest_repeat
  cluster().psql(db,
                 "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO chat_other;"
                 " GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO chat_other");
  Store store(conninfo_as(db, "chat_other"));
  store_messages(store);

  const SearchIndexRound refused = store.messages().index_for_search(2);
  ASSERT_TRUE(refused.ran);
  EXPECT_EQ(refused.changed, 2);  // indexed all the same
  EXPECT_TRUE(refused.merge_refused);
  EXPECT_EQ(refused.merged_pages, 0);
  EXPECT_NE(pending_pages(db), "0");

  cluster().psql("postgres", "GRANT chat_owner TO chat_other");
  const SearchIndexRound merged = store.messages().index_for_search(2);
  ASSERT_TRUE(merged.ran);
  EXPECT_EQ(merged.changed, 1);
  EXPECT_FALSE(merged.merge_refused);
  EXPECT_GT(merged.merged_pages, 0);
  EXPECT_EQ(pending_pages(db), "0");
}

}  // namespace
}  // namespace chat::storage::testing
