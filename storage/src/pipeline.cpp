// Connection::execute_pipeline: several statements for one network round trip
// (libpq pipeline mode, PostgreSQL 14+ client library).
//
// Why: a writer's transaction is a chain of short statements, and on a busy
// machine each round trip is two process wake-ups. The message path sends
// BEGIN + its three reads in one pipeline and its writes + COMMIT in another.
//
// What the server does with a pipeline: the statements run one after another,
// each as a statement of its own; after a failure the rest up to the Sync are
// skipped (PGRES_PIPELINE_ABORTED). Inside a BEGIN the transaction is then
// aborted and the caller's rollback ends it; outside, the statements formed
// one implicit transaction, rolled back as a whole.
#include "connection_impl.hpp"

#include "libpq_params.hpp"
#include "pg_error.hpp"
#include "result.hpp"

#include <optional>
#include <string>
#include <vector>

namespace chat::storage {
namespace {

// A command without parameters, sent with the extended protocol (the simple
// one is not allowed in a pipeline).
bool send_command(PGconn* conn, const char* command) {
  return PQsendQueryParams(conn, command, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
}

}  // namespace

void Connection::Impl::flush_pending_begin() {
  if (pending_begin_ == nullptr) return;
  const char* command = pending_begin_;
  pending_begin_ = nullptr;
  live_connection();
  run_command(command, "BEGIN");
}

std::vector<Rows> Connection::Impl::execute_pipeline(std::span<const Step> steps, bool commit) {
  PGconn* conn = live_connection();
  // Statements are prepared before the pipeline starts: preparing takes a
  // round trip of its own, once per statement and connection.
  std::vector<const Prepared*> prepared;  // null: planned each time, sent as text
  prepared.reserve(steps.size());
  for (const Step& step : steps) {
    prepared.push_back(step.statement->plan_each_time ? nullptr
                                                      : &prepare_for(conn, *step.statement, step.params.size()));
  }

  if (PQenterPipelineMode(conn) != 1) {
    throw DbError(DbErrc::internal, "cannot enter pipeline mode: " + std::string(PQerrorMessage(conn)));
  }
  // What is sent, in order, so that each result can be named.
  std::vector<std::string_view> sent;  // statement names and literals: static text
  const char* begin = pending_begin_;
  pending_begin_ = nullptr;
  bool send_failed = false;
  if (begin != nullptr) {
    send_failed = !send_command(conn, begin);
    sent.emplace_back("BEGIN");
  }
  for (std::size_t i = 0; i < steps.size() && !send_failed; ++i) {
    const detail::LibpqParams values(steps[i].params);
    if (prepared[i] == nullptr) {
      const std::string sql(steps[i].statement->sql);
      send_failed = PQsendQueryParams(conn, sql.c_str(), values.count(), nullptr, values.values(), values.lengths(),
                                      values.formats(), /*resultFormat=*/0) != 1;
    } else {
      send_failed = PQsendQueryPrepared(conn, prepared[i]->name.c_str(), values.count(), values.values(),
                                        values.lengths(), values.formats(), /*resultFormat=*/0) != 1;
    }
    sent.push_back(steps[i].statement->name);
  }
  if (commit && !send_failed) {
    send_failed = !send_command(conn, "COMMIT");
    sent.emplace_back("COMMIT");
  }
  if (!send_failed) send_failed = PQpipelineSync(conn) != 1;
  if (send_failed) {
    // Only a broken connection refuses to queue: drop it, the server rolls
    // back what it got. A COMMIT may have been among what it got.
    DbError error = detail::error_from_result(conn, nullptr, "pipeline");
    conn_.reset();
    if (commit) {
      throw DbError(DbErrc::commit_in_doubt, "pipeline with COMMIT: the connection was lost while sending",
                    error.sqlstate());
    }
    throw DbError(DbErrc::connection_lost, error.what(), error.sqlstate());
  }

  // One result per statement (then a null), then the Sync's.
  std::vector<Rows> rows;
  rows.reserve(steps.size());
  std::optional<DbError> failure;
  bool statement_failed = false;  // a statement before COMMIT failed: COMMIT did not run
  bool commit_ran = false;        // COMMIT was answered (committed, or failed and rolled back)
  const std::size_t first_step = begin != nullptr ? 1 : 0;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    detail::PgResultPtr result(PQgetResult(conn));
    if (result == nullptr || PQstatus(conn) != CONNECTION_OK) {
      if (!failure) failure = detail::error_from_result(conn, result.get(), sent[i]);
      break;
    }
    while (detail::PgResultPtr end_of_statement{PQgetResult(conn)}) {
    }
    const bool is_commit = commit && i + 1 == sent.size();
    if (PQresultStatus(result.get()) == PGRES_PIPELINE_ABORTED) continue;  // skipped after a failure
    if (is_commit) commit_ran = true;
    if (!detail::succeeded(result.get())) {
      if (!failure) failure = detail::error_from_result(conn, result.get(), sent[i]);
      if (!is_commit) statement_failed = true;
      continue;
    }
    if (i >= first_step && !is_commit) rows.emplace_back(std::make_shared<const detail::Result>(std::move(result)));
  }
  const bool alive = PQstatus(conn) == CONNECTION_OK;
  if (alive) {
    detail::PgResultPtr sync(PQgetResult(conn));
    const bool synced = sync != nullptr && PQresultStatus(sync.get()) == PGRES_PIPELINE_SYNC;
    if (!synced || PQexitPipelineMode(conn) != 1) conn_.reset();  // a session in an unknown state
  } else {
    conn_.reset();  // the server rolls back whatever did not commit
  }

  if (commit) {
    if (commit_ran) {
      transaction_open_ = false;  // committed, or COMMIT failed and rolled back
      if (!failure) {
        committed_by_pipeline_ = true;
        return rows;
      }
    } else if (!alive && !statement_failed) {
      transaction_open_ = false;
      throw DbError(DbErrc::commit_in_doubt,
                    "pipeline with COMMIT: the connection was lost; the transaction may or may not have "
                    "committed",
                    failure ? failure->sqlstate() : std::string());
    }
    // Otherwise COMMIT did not run: the transaction is open and aborted, and
    // the caller's rollback ends it.
  }
  if (failure) throw *failure;
  return rows;
}

}  // namespace chat::storage
