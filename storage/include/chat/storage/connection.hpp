#pragma once
// One PostgreSQL session: prepared statements with text parameters, and
// transactions that are retried on the failures where that is safe.
//
// Reconnection: when the server goes away, the call that finds the connection
// dead throws DbError{connection_lost}; the next call reconnects by itself and
// prepares its statements again. Inside transaction() that happens on the next
// attempt. Nothing is ever re-sent silently outside transaction(): a write
// that may have been applied is the caller's call.
//
// Not thread-safe: one Connection per thread (or per pooled slot). A
// moved-from Connection may only be destroyed or assigned to.
#include "chat/storage/errors.hpp"
#include "chat/storage/param.hpp"
#include "chat/storage/rows.hpp"
#include "chat/storage/statement.hpp"

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace chat::storage {

namespace detail {
class ConnectionAccess;
}

enum class Isolation { read_committed, repeatable_read, serializable };

// One statement of a pipeline (Connection::execute_pipeline) and its parameters.
struct PipelineStep {
  const Statement& statement;
  std::vector<Param> params;
};

struct TransactionOptions {
  // Attempts in all. Retried: serialization_conflict and connection_lost (the
  // transaction did not commit), and commit_in_doubt when `idempotent`.
  int max_attempts = 5;
  // Pause before the second attempt; doubled for each further one, with jitter
  // so that writers that collided do not collide again in lockstep.
  std::chrono::milliseconds first_backoff{20};
  // Set when running the function twice has the same effect as once (e.g. it
  // deduplicates by a client-chosen id): then a COMMIT whose outcome is
  // unknown is retried instead of surfacing as commit_in_doubt.
  bool idempotent = false;
  Isolation isolation = Isolation::read_committed;
};

class Connection {
 public:
  // Connects at once. Throws DbError{invalid_input} for a malformed conninfo,
  // DbError{connection_lost} when the server cannot be reached.
  explicit Connection(std::string conninfo);
  ~Connection();
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // execute(kFindUser, user_id): each argument converts to a Param.
  template <class... Args>
  Rows execute(const Statement& statement, Args&&... args) {
    const std::array<Param, sizeof...(Args)> params{Param(std::forward<Args>(args))...};
    return execute_params(statement, params);
  }
  Rows execute_params(const Statement& statement, std::span<const Param> params);

  // Sends the statements at once and waits once (libpq's pipeline mode): one
  // round trip however many there are. Each still runs as a statement of its
  // own, in order: it sees what the ones before it did (and their locks) and,
  // in READ COMMITTED, takes its snapshot after they ran. The first failure is
  // thrown; the statements after it do not run. Returns one Rows per step.
  std::vector<Rows> execute_pipeline(std::span<const PipelineStep> steps);
  // The same with COMMIT in the same round trip: ends the transaction() whose
  // fn calls it (the transaction's own COMMIT is then skipped). Fails as COMMIT
  // does, commit_in_doubt included. Only inside transaction().
  std::vector<Rows> execute_pipeline_and_commit(std::span<const PipelineStep> steps);

  // Runs fn(*this) between BEGIN and COMMIT and returns what fn returns. Any
  // exception rolls back. Retryable failures (see TransactionOptions) run fn
  // again from the start, so fn must have no effect outside the database.
  // Transactions do not nest: calling this inside fn throws std::logic_error.
  // BEGIN travels with fn's first statement (no round trip of its own).
  template <class F>
  auto transaction(F&& fn, const TransactionOptions& options = {}) -> std::invoke_result_t<F&, Connection&>;

  bool in_transaction() const noexcept;

 private:
  friend class detail::ConnectionAccess;
  class Impl;

  void require_no_transaction() const;
  std::vector<Rows> run_pipeline(std::span<const PipelineStep> steps, bool commit);
  void begin(Isolation isolation);
  void commit();
  void rollback_after_failure() noexcept;
  static bool should_retry(const DbError& error, int attempt, const TransactionOptions& options);
  static void backoff(int attempt, const TransactionOptions& options);

  std::unique_ptr<Impl> impl_;
};

template <class F>
auto Connection::transaction(F&& fn, const TransactionOptions& options) -> std::invoke_result_t<F&, Connection&> {
  using Result = std::invoke_result_t<F&, Connection&>;
  require_no_transaction();
  for (int attempt = 1;; ++attempt) {
    try {
      begin(options.isolation);
      if constexpr (std::is_void_v<Result>) {
        std::invoke(fn, *this);
        commit();
        return;
      } else {
        Result result = std::invoke(fn, *this);
        commit();
        return result;
      }
    } catch (const DbError& error) {
      rollback_after_failure();
      if (!should_retry(error, attempt, options)) throw;
    } catch (...) {
      rollback_after_failure();
      throw;
    }
    backoff(attempt, options);
  }
}

}  // namespace chat::storage
