#pragma once
// Shared by the storage integration suites: one PostgreSQL cluster per test
// binary (a gtest Environment), a migrated template database, and a fresh
// database per test cloned from it, so tests never see each other's rows.
#include "chat/storage/store.hpp"
#include "chat/testing/postgres_cluster.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace chat::storage::testing {

class StorageTest : public ::testing::Test {
 protected:
  void SetUp() override;

  static chat::testing::PostgresCluster& cluster();
  // A new database with schema v1 (cloned from the migrated template).
  static std::string new_migrated_database();
  // A new empty database, for migration tests.
  static std::string new_empty_database();

  // This test's database (migrated) and a Store on it.
  const std::string& database() const { return database_; }
  std::string conninfo() const { return cluster().conninfo(database_); }
  Store& store() { return *store_; }
  // psql in this test's database: checks that do not go through the code under test.
  std::string psql(const std::string& sql) const { return cluster().psql(database_, sql); }

  User make_user(const std::string& username);

 private:
  std::string database_;
  std::unique_ptr<Store> store_;
};

// A test's database with alice, bob and "g", a group of the two that alice
// owns: the cast of the message suites.
class GroupOfTwoTest : public StorageTest {
 protected:
  void SetUp() override;

  User alice_;
  User bob_;
  Chat group_;
};

}  // namespace chat::storage::testing
