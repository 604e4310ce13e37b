#pragma once
// The libpq side of Connection, shared by the files that implement it and by
// the migration runner (through ConnectionAccess).
#include "chat/storage/connection.hpp"
#include "pg_handles.hpp"

#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace chat::storage {

class Connection::Impl {
 public:
  explicit Impl(std::string conninfo);

  Rows execute(const Statement& statement, std::span<const Param> params);

  struct Step {
    const Statement* statement;
    std::span<const Param> params;
  };
  // One round trip for all the steps (and the pending BEGIN; and COMMIT when
  // `commit`). See Connection::execute_pipeline.
  std::vector<Rows> execute_pipeline(std::span<const Step> steps, bool commit);

  // Runs a script of several statements with the simple query protocol.
  // Only for SQL compiled into the library (migrations); never for runtime text.
  void execute_script(std::string_view script, std::string_view context);

  // BEGIN is not sent at once: it goes with the transaction's first
  // statement, in the same round trip.
  void begin(Isolation isolation);
  void commit();
  void rollback_after_failure() noexcept;
  bool in_transaction() const noexcept { return transaction_open_; }
  // The server's view of the transaction (PQtransactionStatus).
  PGTransactionStatusType server_transaction_status() const noexcept;
  // The current libpq session, or null before the first connect succeeded
  // (for LISTEN/NOTIFY, auth_store.cpp). Never cached by the caller: a
  // reconnect replaces it.
  PGconn* native_handle() const noexcept { return conn_.get(); }

 private:
  struct Prepared {
    std::string name;  // NUL-terminated for libpq
    std::string sql;
    int param_count = 0;
  };

  // The open connection, reconnecting first when it was found dead, unless a
  // transaction is open: then the transaction is lost and that is an error.
  PGconn* live_connection();
  void connect();
  const Prepared& prepare(PGconn* conn, const Statement& statement);
  // Prepares the statement if need be and checks the parameter count.
  const Prepared& prepare_for(PGconn* conn, const Statement& statement, std::size_t param_count);
  // Sends a pending BEGIN on its own (before a script or a native call).
  void flush_pending_begin();
  // PQexec of a fixed command (BEGIN, COMMIT, ...); throws on failure.
  void run_command(const char* command, std::string_view context);

  std::string conninfo_;
  detail::PgConnPtr conn_;
  // Statements prepared on the current connection; cleared on reconnect.
  std::map<std::string, Prepared, std::less<>> prepared_;
  bool transaction_open_ = false;
  // The BEGIN of the open transaction while it has not been sent yet.
  const char* pending_begin_ = nullptr;
  // execute_pipeline committed the transaction: its commit() has nothing to do.
  bool committed_by_pipeline_ = false;
};

namespace detail {

// The library's own way into a Connection's internals.
class ConnectionAccess {
 public:
  static Connection::Impl& impl(Connection& connection) { return *connection.impl_; }
};

}  // namespace detail
}  // namespace chat::storage
