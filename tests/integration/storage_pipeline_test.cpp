// Connection::execute_pipeline and execute_pipeline_and_commit against a real
// server: results in order, the first failure thrown and the rest skipped, a
// COMMIT in the pipeline that ends the transaction, rollbacks that leave the
// session usable, and BEGIN deferred to the transaction's first statement.
#include "storage_test_env.hpp"

#include <array>

namespace chat::storage::testing {
namespace {

class PipelineTest : public StorageTest {};

constexpr Statement kInsertUser{"test.pipeline_insert_user",
                                "INSERT INTO users (username) VALUES ($1::text) RETURNING id"};
constexpr Statement kCountUsers{"test.pipeline_count_users", "SELECT count(*) AS n FROM users"};
constexpr Statement kFail{"test.pipeline_division_by_zero", "SELECT 1 / $1::int AS x"};
constexpr Statement kBackendPid{"test.pipeline_backend_pid", "SELECT pg_backend_pid() AS pid"};

constexpr Statement kCountUsersPlannedEachTime{"test.pipeline_count_users_each_time",
                                               "SELECT count(*) AS n FROM users WHERE id > $1::bigint",
                                               /*plan_each_time=*/true};
constexpr Statement kPreparedHere{"test.pipeline_prepared_here",
                                  "SELECT count(*) AS n FROM pg_prepared_statements WHERE name = $1::text"};

std::int64_t users_in(const std::string& psql_output) { return std::stoll(psql_output); }

TEST_F(PipelineTest, ReturnsOneResultPerStepInOrder) {
  Connection connection(conninfo());
  const std::array<PipelineStep, 3> steps{{
      {kInsertUser, {Param("alice")}},
      {kInsertUser, {Param("bob")}},
      {kCountUsers, {}},
  }};
  const std::vector<Rows> rows = connection.execute_pipeline(steps);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_LT(rows[0].one().int64("id"), rows[1].one().int64("id"));
  // The count runs after both inserts: each step sees the ones before it.
  EXPECT_EQ(rows[2].one().int64("n"), 2);
  EXPECT_EQ(users_in(psql("SELECT count(*) FROM users")), 2);
}

TEST_F(PipelineTest, TheFirstFailureIsThrownAndTheStepsFormOneImplicitTransaction) {
  Connection connection(conninfo());
  const std::array<PipelineStep, 3> steps{{
      {kInsertUser, {Param("alice")}},
      {kFail, {Param(0)}},
      {kInsertUser, {Param("bob")}},
  }};
  try {
    connection.execute_pipeline(steps);
    FAIL() << "a division by zero did not fail";
  } catch (const DbError& error) {
    EXPECT_NE(std::string(error.what()).find("division by zero"), std::string::npos) << error.what();
  }
  // Nothing of the pipeline stayed, and the session still works.
  EXPECT_EQ(users_in(psql("SELECT count(*) FROM users")), 0);
  EXPECT_EQ(connection.execute(kCountUsers).one().int64("n"), 0);
}

TEST_F(PipelineTest, CommitInThePipelineEndsTheTransaction) {
  Connection connection(conninfo());
  const std::int64_t id = connection.transaction([&](Connection& tx) {
    const std::int64_t alice = tx.execute(kInsertUser, "alice").one().int64("id");
    const std::array<PipelineStep, 1> writes{{{kInsertUser, {Param("bob")}}}};
    tx.execute_pipeline_and_commit(writes);
    EXPECT_FALSE(tx.in_transaction());
    return alice;
  });
  EXPECT_GT(id, 0);
  EXPECT_FALSE(connection.in_transaction());
  EXPECT_EQ(users_in(psql("SELECT count(*) FROM users")), 2);
  // The session is out of the transaction: a statement commits on its own.
  connection.execute(kInsertUser, "carol");
  EXPECT_EQ(users_in(psql("SELECT count(*) FROM users")), 3);
}

TEST_F(PipelineTest, AFailureBeforeCommitRollsEverythingBackAndTheSessionIsUsable) {
  Connection connection(conninfo());
  TransactionOptions once;
  once.max_attempts = 1;
  EXPECT_THROW(connection.transaction(
                   [&](Connection& tx) {
                     tx.execute(kInsertUser, "alice");
                     const std::array<PipelineStep, 2> writes{{
                         {kInsertUser, {Param("bob")}},
                         {kFail, {Param(0)}},
                     }};
                     tx.execute_pipeline_and_commit(writes);
                   },
                   once),
               DbError);
  EXPECT_FALSE(connection.in_transaction());
  EXPECT_EQ(users_in(psql("SELECT count(*) FROM users")), 0);
  // Not stuck in an aborted transaction: the next one commits.
  connection.transaction([&](Connection& tx) { tx.execute(kInsertUser, "carol"); });
  EXPECT_EQ(users_in(psql("SELECT count(*) FROM users")), 1);
}

TEST_F(PipelineTest, AUniqueViolationInThePipelineIsMappedLikeAnyStatement) {
  Connection connection(conninfo());
  connection.execute(kInsertUser, "alice");
  const std::array<PipelineStep, 1> steps{{{kInsertUser, {Param("alice")}}}};
  try {
    connection.execute_pipeline(steps);
    FAIL() << "a second alice was accepted";
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::unique_violation) << error.what();
  }
}

// BEGIN is deferred to the first statement: a transaction that ran none must
// end cleanly (no COMMIT of a BEGIN never sent) and leave the session usable.
TEST_F(PipelineTest, ATransactionWithoutStatementsEndsCleanly) {
  Connection connection(conninfo());
  const int value = connection.transaction([](Connection&) { return 7; });
  EXPECT_EQ(value, 7);
  EXPECT_FALSE(connection.in_transaction());
  EXPECT_EQ(connection.execute(kCountUsers).one().int64("n"), 0);
}

TEST_F(PipelineTest, BeginTravelsWithTheFirstStatement) {
  Connection connection(conninfo());
  connection.transaction([&](Connection& tx) {
    // The first statement already runs inside the transaction: other
    // sessions do not see its row before COMMIT.
    tx.execute(kInsertUser, "alice");
    EXPECT_EQ(users_in(psql("SELECT count(*) FROM users")), 0);
  });
  EXPECT_EQ(users_in(psql("SELECT count(*) FROM users")), 1);
}

TEST_F(PipelineTest, ALostConnectionBeforeThePipelineIsReportedAndTheNextCallReconnects) {
  Connection connection(conninfo());
  const std::int64_t pid = connection.execute(kBackendPid).one().int64("pid");
  psql("SELECT pg_terminate_backend(" + std::to_string(pid) + ", 5000)");
  const std::array<PipelineStep, 1> steps{{{kCountUsers, {}}}};
  try {
    connection.execute_pipeline(steps);
    FAIL() << "a pipeline on a terminated session succeeded";
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::connection_lost) << error.what();
  }
  EXPECT_EQ(connection.execute_pipeline(steps).at(0).one().int64("n"), 0);
}

// The server answers the first statement of the pipeline with FATAL: it never
// reached the COMMIT behind it, so nothing committed and the error says so
// (connection_lost, retryable) rather than commit_in_doubt.
TEST_F(PipelineTest, ASessionKilledBeforeItsCommitRanIsALostConnectionNotADoubt) {
  Connection connection(conninfo());
  TransactionOptions once;
  once.max_attempts = 1;
  try {
    connection.transaction(
        [&](Connection& tx) {
          const std::int64_t pid = tx.execute(kBackendPid).one().int64("pid");
          tx.execute(kInsertUser, "alice");  // prepared: the pipeline needs no round trip first
          // The session dies while the transaction is open.
          psql("SELECT pg_terminate_backend(" + std::to_string(pid) + ", 5000)");
          const std::array<PipelineStep, 1> writes{{{kInsertUser, {Param("bob")}}}};
          tx.execute_pipeline_and_commit(writes);
        },
        once);
    FAIL() << "a pipeline on a terminated session succeeded";
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::connection_lost) << error.what();
  }
  EXPECT_EQ(users_in(psql("SELECT count(*) FROM users")), 0);
  EXPECT_EQ(connection.execute(kCountUsers).one().int64("n"), 0);  // reconnected
}

// A statement planned for each execution runs alone and in a pipeline, and is
// never prepared on the session (so no generic plan can outlive the table
// sizes it was made for).
TEST_F(PipelineTest, AStatementPlannedEachTimeIsNeverPrepared) {
  Connection connection(conninfo());
  connection.execute(kInsertUser, "alice");
  EXPECT_EQ(connection.execute(kCountUsersPlannedEachTime, std::int64_t{0}).one().int64("n"), 1);
  const std::array<PipelineStep, 2> steps{{
      {kInsertUser, {Param("bob")}},
      {kCountUsersPlannedEachTime, {Param(std::int64_t{0})}},
  }};
  EXPECT_EQ(connection.execute_pipeline(steps).at(1).one().int64("n"), 2);
  EXPECT_EQ(connection.execute(kPreparedHere, std::string(kCountUsersPlannedEachTime.name)).one().int64("n"), 0);
  EXPECT_EQ(connection.execute(kPreparedHere, std::string(kInsertUser.name)).one().int64("n"), 1);
}

}  // namespace
}  // namespace chat::storage::testing
