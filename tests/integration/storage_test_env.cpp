#include "storage_test_env.hpp"

#include <atomic>
#include <stdexcept>

namespace chat::storage::testing {
namespace {

constexpr const char* kTemplate = "chat_template";

// Started before the first test and stopped after the last one.
class ClusterEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    cluster_ = std::make_unique<chat::testing::PostgresCluster>();
    cluster_->create_database(kTemplate);
    // Migrating the template goes through the code under test once; every
    // test database is then a cheap file-level copy of it. The Store (and its
    // connection) must be gone before the template can be copied.
    Store(cluster_->conninfo(kTemplate)).migrate();
  }
  void TearDown() override { cluster_.reset(); }

  chat::testing::PostgresCluster& cluster() {
    if (!cluster_) throw std::logic_error("the PostgreSQL environment is not set up");
    return *cluster_;
  }

 private:
  std::unique_ptr<chat::testing::PostgresCluster> cluster_;
};

ClusterEnvironment* const environment = [] {
  auto* env = new ClusterEnvironment;  // owned by gtest from here on
  ::testing::AddGlobalTestEnvironment(env);
  return env;
}();

std::string next_database_name() {
  static std::atomic<int> counter{0};
  return "test_" + std::to_string(++counter);
}

}  // namespace

chat::testing::PostgresCluster& StorageTest::cluster() { return environment->cluster(); }

std::string StorageTest::new_migrated_database() {
  std::string name = next_database_name();
  cluster().create_database(name, kTemplate);
  return name;
}

std::string StorageTest::new_empty_database() {
  std::string name = next_database_name();
  cluster().create_database(name);
  return name;
}

void StorageTest::SetUp() {
  database_ = new_migrated_database();
  store_ = std::make_unique<Store>(conninfo());
}

User StorageTest::make_user(const std::string& username) {
  NewUser user;
  user.username = username;
  user.display_name = username;
  return store().users().create(user);
}

}  // namespace chat::storage::testing
