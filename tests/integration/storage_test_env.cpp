#include "storage_test_env.hpp"

#include "chat/testing/migrated_cluster.hpp"

#include <vector>

namespace chat::storage::testing {
namespace {

chat::testing::MigratedCluster* const environment = chat::testing::MigratedCluster::install("storage");

}  // namespace

chat::testing::PostgresCluster& StorageTest::cluster() { return environment->cluster(); }

std::string StorageTest::new_migrated_database() { return environment->new_migrated_database(); }

std::string StorageTest::new_empty_database() { return environment->new_empty_database(); }

void StorageTest::SetUp() {
  database_ = new_migrated_database();
  store_ = std::make_unique<Store>(conninfo());
}

void GroupOfTwoTest::SetUp() {
  StorageTest::SetUp();
  alice_ = make_user("alice");
  bob_ = make_user("bob");
  const std::vector<UserId> members{bob_.id};
  group_ = store().chats().create_group(alice_.id, "g", members);
}

User StorageTest::make_user(const std::string& username) {
  NewUser user;
  user.username = username;
  user.display_name = username;
  return store().users().create(user);
}

}  // namespace chat::storage::testing
