// BEGIN/COMMIT/ROLLBACK and the retry policy behind Connection::transaction().
#include "connection_impl.hpp"

#include "pg_error.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>
#include <thread>

namespace chat::storage {
namespace {

const char* begin_command(Isolation isolation) {
  switch (isolation) {
    case Isolation::read_committed:
      return "BEGIN ISOLATION LEVEL READ COMMITTED";
    case Isolation::repeatable_read:
      return "BEGIN ISOLATION LEVEL REPEATABLE READ";
    case Isolation::serializable:
      return "BEGIN ISOLATION LEVEL SERIALIZABLE";
  }
  throw std::invalid_argument("unknown isolation level");
}

}  // namespace

void Connection::Impl::begin(Isolation isolation) {
  live_connection();                          // reconnects when the last call found the connection dead
  pending_begin_ = begin_command(isolation);  // sent with the first statement
  transaction_open_ = true;
  committed_by_pipeline_ = false;
}

void Connection::Impl::commit() {
  if (committed_by_pipeline_) {
    committed_by_pipeline_ = false;
    return;
  }
  if (pending_begin_ != nullptr) {  // no statement ran: there is nothing to commit
    pending_begin_ = nullptr;
    transaction_open_ = false;
    return;
  }
  PGconn* conn = conn_.get();
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    transaction_open_ = false;
    throw DbError(DbErrc::connection_lost, "COMMIT: the connection was lost before committing; nothing was committed");
  }
  if (PQtransactionStatus(conn) == PQTRANS_INERROR) {
    // COMMIT of an aborted transaction "succeeds" as a ROLLBACK. Someone caught
    // a DbError inside the transaction and went on; that loses writes silently.
    throw DbError(DbErrc::internal, "COMMIT: the transaction was aborted by an earlier error that was caught");
  }
  const detail::PgResultPtr result(PQexec(conn, "COMMIT"));
  transaction_open_ = false;  // committed or not, the transaction is over
  if (result != nullptr && PQresultStatus(result.get()) == PGRES_COMMAND_OK) return;

  DbError error = detail::error_from_result(conn, result.get(), "COMMIT");
  if (error.code() == DbErrc::connection_lost) {
    // The server may have made the commit durable before the connection broke.
    throw DbError(DbErrc::commit_in_doubt,
                  "COMMIT: the connection was lost while committing; the transaction may or "
                  "may not have committed",
                  error.sqlstate());
  }
  throw error;  // e.g. a serialization failure at commit: nothing was committed
}

void Connection::Impl::rollback_after_failure() noexcept {
  committed_by_pipeline_ = false;
  if (!transaction_open_) return;
  transaction_open_ = false;
  if (pending_begin_ != nullptr) {  // BEGIN was never sent
    pending_begin_ = nullptr;
    return;
  }
  PGconn* conn = conn_.get();
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) return;  // the server rolls back itself
  const detail::PgResultPtr result(PQexec(conn, "ROLLBACK"));
  if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
    // A session stuck in a transaction must not serve the next call: drop it,
    // the next call reconnects.
    conn_.reset();
  }
}

void Connection::require_no_transaction() const {
  if (in_transaction()) {
    throw std::logic_error("Connection::transaction() called inside a transaction; they do not nest");
  }
}

void Connection::begin(Isolation isolation) { impl_->begin(isolation); }
void Connection::commit() { impl_->commit(); }
void Connection::rollback_after_failure() noexcept { impl_->rollback_after_failure(); }

bool Connection::should_retry(const DbError& error, int attempt, const TransactionOptions& options) {
  if (attempt >= options.max_attempts) return false;
  if (error.retryable()) return true;
  return options.idempotent && error.code() == DbErrc::commit_in_doubt;
}

void Connection::backoff(int attempt, const TransactionOptions& options) {
  // first_backoff * 2^(attempt-1), then a random point in its upper half.
  const int doublings = std::clamp(attempt - 1, 0, 10);
  const auto ceiling = options.first_backoff * (1 << doublings);
  thread_local std::minstd_rand random(std::random_device{}());
  std::uniform_int_distribution<std::chrono::milliseconds::rep> pick(ceiling.count() / 2, ceiling.count());
  std::this_thread::sleep_for(std::chrono::milliseconds(pick(random)));
}

}  // namespace chat::storage
