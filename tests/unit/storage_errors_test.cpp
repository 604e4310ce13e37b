// chat::storage's errors: SQLSTATE to the closed set of DbErrc, which of them
// a retry may cure, and what a DbError carries.
#include "chat/storage/errors.hpp"

#include <gtest/gtest.h>

namespace chat::storage {
namespace {

TEST(StorageErrors, IntegrityViolations) {
  EXPECT_EQ(classify_sqlstate("23505"), DbErrc::unique_violation);
  EXPECT_EQ(classify_sqlstate("23503"), DbErrc::foreign_key_violation);
  EXPECT_EQ(classify_sqlstate("23514"), DbErrc::check_violation);
  EXPECT_EQ(classify_sqlstate("23502"), DbErrc::not_null_violation);
  // Other integrity errors (restrict, exclusion) are not among the kinds callers act on.
  EXPECT_EQ(classify_sqlstate("23001"), DbErrc::internal);
  EXPECT_EQ(classify_sqlstate("23P01"), DbErrc::internal);
}

TEST(StorageErrors, DataExceptionsAreInvalidInput) {
  EXPECT_EQ(classify_sqlstate("22P02"), DbErrc::invalid_input);  // invalid_text_representation
  EXPECT_EQ(classify_sqlstate("22001"), DbErrc::invalid_input);  // string_data_right_truncation
  EXPECT_EQ(classify_sqlstate("22003"), DbErrc::invalid_input);  // numeric_value_out_of_range
  EXPECT_EQ(classify_sqlstate("22021"), DbErrc::invalid_input);  // character_not_in_repertoire
}

TEST(StorageErrors, ConflictsAreRetryable) {
  EXPECT_EQ(classify_sqlstate("40001"), DbErrc::serialization_conflict);
  EXPECT_EQ(classify_sqlstate("40P01"), DbErrc::serialization_conflict);
  EXPECT_TRUE(is_retryable(DbErrc::serialization_conflict));
  // Other class-40 codes (e.g. a failed integrity check at commit) are not races.
  EXPECT_EQ(classify_sqlstate("40002"), DbErrc::internal);
}

TEST(StorageErrors, LostConnectionsAreRetryable) {
  for (const char* code : {"08000", "08003", "08006", "08001", "08004", "08P01", "57P01", "57P02", "57P03"}) {
    EXPECT_EQ(classify_sqlstate(code), DbErrc::connection_lost) << code;
  }
  EXPECT_TRUE(is_retryable(DbErrc::connection_lost));
  // A cancelled statement (statement_timeout) is class 57 but the session lives on.
  EXPECT_EQ(classify_sqlstate("57014"), DbErrc::internal);
}

TEST(StorageErrors, MissingSchemaObjects) {
  EXPECT_EQ(classify_sqlstate("42P01"), DbErrc::undefined_object);  // undefined_table
  EXPECT_EQ(classify_sqlstate("42703"), DbErrc::undefined_object);  // undefined_column
  EXPECT_EQ(classify_sqlstate("42704"), DbErrc::undefined_object);  // undefined_object
  EXPECT_EQ(classify_sqlstate("42883"), DbErrc::undefined_object);  // undefined_function
}

TEST(StorageErrors, EverythingElseIsInternal) {
  EXPECT_EQ(classify_sqlstate("42601"), DbErrc::internal);  // syntax_error
  EXPECT_EQ(classify_sqlstate("53300"), DbErrc::internal);  // too_many_connections
  EXPECT_EQ(classify_sqlstate("XX000"), DbErrc::internal);
  EXPECT_EQ(classify_sqlstate(""), DbErrc::internal);
  EXPECT_EQ(classify_sqlstate("2350"), DbErrc::internal);
  EXPECT_EQ(classify_sqlstate("235050"), DbErrc::internal);
}

TEST(StorageErrors, OnlyRacesAndLostConnectionsAreRetryable) {
  for (const DbErrc code :
       {DbErrc::unique_violation, DbErrc::foreign_key_violation, DbErrc::check_violation, DbErrc::not_null_violation,
        DbErrc::invalid_input, DbErrc::commit_in_doubt, DbErrc::undefined_object, DbErrc::internal}) {
    EXPECT_FALSE(is_retryable(code)) << to_string(code);
  }
}

TEST(StorageErrors, DbErrorCarriesCodeSqlstateAndConstraint) {
  const DbError error(DbErrc::unique_violation, "users.create: duplicate key", "23505", "users_username_key");
  EXPECT_EQ(error.code(), DbErrc::unique_violation);
  EXPECT_EQ(error.sqlstate(), "23505");
  EXPECT_EQ(error.constraint(), "users_username_key");
  EXPECT_FALSE(error.retryable());
  EXPECT_STREQ(error.what(), "users.create: duplicate key");

  const DbError lost(DbErrc::connection_lost, "server closed the connection");
  EXPECT_TRUE(lost.retryable());
  EXPECT_TRUE(lost.sqlstate().empty());
  EXPECT_TRUE(lost.constraint().empty());
}

TEST(StorageErrors, CodesHaveReadableNames) {
  EXPECT_EQ(to_string(DbErrc::unique_violation), "unique_violation");
  EXPECT_EQ(to_string(DbErrc::commit_in_doubt), "commit_in_doubt");
  EXPECT_EQ(to_string(DbErrc::connection_lost), "connection_lost");
}

}  // namespace
}  // namespace chat::storage
