#pragma once
// One PostgreSQL cluster for a whole test binary, started before its first
// test and stopped after its last (a gtest Environment), with a template
// database migrated once through the code under test: each test's database is
// then a file-level copy of it, which takes tens of milliseconds instead of a
// migration. For suites that link chat::storage.
//
//   MigratedCluster* const environment = MigratedCluster::install("bridge");
//   ... environment->new_migrated_database()  // "bridge_1", "bridge_2", ...
#include "chat/storage/store.hpp"
#include "chat/testing/postgres_cluster.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace chat::testing {

class MigratedCluster : public ::testing::Environment {
 public:
  // A new one registered with gtest, which owns it from then on. `prefix`
  // names the template ("<prefix>_template") and the databases made.
  static MigratedCluster* install(std::string prefix) {
    auto* environment = new MigratedCluster(std::move(prefix));
    ::testing::AddGlobalTestEnvironment(environment);
    return environment;
  }

  void SetUp() override {
    cluster_ = std::make_unique<PostgresCluster>();
    cluster_->create_database(template_name());
    // The Store (and its connection) must be gone before the template can be copied.
    storage::Store(cluster_->conninfo(template_name())).migrate();
  }
  void TearDown() override { cluster_.reset(); }

  PostgresCluster& cluster() {
    if (!cluster_) throw std::logic_error("the PostgreSQL environment is not set up");
    return *cluster_;
  }

  // A new database with the schema (a copy of the template); its name.
  std::string new_migrated_database() {
    std::string name = next_name();
    cluster().create_database(name, template_name());
    return name;
  }
  // A new database without any schema, for migration tests; its name.
  std::string new_empty_database() {
    std::string name = next_name();
    cluster().create_database(name);
    return name;
  }

 private:
  explicit MigratedCluster(std::string prefix) : prefix_(std::move(prefix)) {}

  std::string template_name() const { return prefix_ + "_template"; }
  std::string next_name() { return prefix_ + "_" + std::to_string(++databases_); }

  std::string prefix_;
  std::unique_ptr<PostgresCluster> cluster_;
  std::atomic<int> databases_{0};
};

}  // namespace chat::testing
