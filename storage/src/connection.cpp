#include "connection_impl.hpp"

#include "libpq_params.hpp"
#include "pg_error.hpp"
#include "result.hpp"

#include <stdexcept>
#include <utility>
#include <vector>

namespace chat::storage {
namespace {

// The library has no logger yet; NOTICEs (e.g. "relation already exists,
// skipping") are not errors and must not land on the host's stderr.
void discard_notice(void* /*arg*/, const char* /*message*/) {}

void require_valid_conninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw DbError(DbErrc::invalid_input, "invalid PostgreSQL conninfo: " + message);
  }
  PQconninfoFree(options);
}

}  // namespace

Connection::Impl::Impl(std::string conninfo) : conninfo_(std::move(conninfo)) {
  require_valid_conninfo(conninfo_);
  connect();
}

void Connection::Impl::connect() {
  conn_.reset();
  prepared_.clear();
  transaction_open_ = false;
  pending_begin_ = nullptr;
  committed_by_pipeline_ = false;
  // The caller's conninfo is expanded from `dbname`; entries before it are
  // defaults it may override, entries after it are forced: the data layer
  // exchanges UTF-8 text whatever the server or environment say. The TCP
  // keepalives find a vanished server in about a minute rather than the
  // kernel's two hours, so a call cannot hang on a dead peer that long.
  const char* const keywords[] = {"fallback_application_name",
                                  "keepalives_idle",
                                  "keepalives_interval",
                                  "keepalives_count",
                                  "dbname",
                                  "client_encoding",
                                  nullptr};
  const char* const values[] = {"chat", "30", "10", "3", conninfo_.c_str(), "UTF8", nullptr};
  detail::PgConnPtr conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    throw detail::connect_error(conn.get());
  }
  PQsetNoticeProcessor(conn.get(), discard_notice, nullptr);
  conn_ = std::move(conn);
}

PGconn* Connection::Impl::live_connection() {
  if (conn_ != nullptr && PQstatus(conn_.get()) == CONNECTION_OK) return conn_.get();
  if (transaction_open_) {
    // Reconnecting here would run the rest of the transaction's statements in
    // autocommit on a new session. The transaction is gone; say so.
    throw DbError(DbErrc::connection_lost,
                  "the connection was lost inside a transaction, which the server rolled back");
  }
  connect();
  return conn_.get();
}

const Connection::Impl::Prepared& Connection::Impl::prepare(PGconn* conn, const Statement& statement) {
  if (const auto found = prepared_.find(statement.name); found != prepared_.end()) {
    if (found->second.sql != statement.sql) {
      throw std::logic_error("statement name \"" + std::string(statement.name) +
                             "\" is used for two different SQL texts");
    }
    return found->second;
  }
  const std::string name(statement.name);
  const std::string sql(statement.sql);
  const detail::PgResultPtr prepared(PQprepare(conn, name.c_str(), sql.c_str(), 0, nullptr));
  if (!detail::succeeded(prepared.get())) {
    throw detail::error_from_result(conn, prepared.get(), "prepare " + name);
  }
  // The parameter count, checked before every execution: a mismatch would
  // otherwise come back as SQLSTATE 08P01, which reads as a lost connection.
  const detail::PgResultPtr described(PQdescribePrepared(conn, name.c_str()));
  if (!detail::succeeded(described.get())) {
    throw detail::error_from_result(conn, described.get(), "describe " + name);
  }
  return prepared_.emplace(name, Prepared{name, sql, PQnparams(described.get())}).first->second;
}

const Connection::Impl::Prepared& Connection::Impl::prepare_for(PGconn* conn, const Statement& statement,
                                                                std::size_t param_count) {
  const Prepared& prepared = prepare(conn, statement);
  if (param_count != static_cast<std::size_t>(prepared.param_count)) {
    throw std::invalid_argument("statement \"" + std::string(statement.name) + "\" takes " +
                                std::to_string(prepared.param_count) + " parameters, got " +
                                std::to_string(param_count));
  }
  return prepared;
}

Rows Connection::Impl::execute(const Statement& statement, std::span<const Param> params) {
  if (pending_begin_ != nullptr) {
    const Step step{&statement, params};
    return std::move(execute_pipeline(std::span(&step, 1), /*commit=*/false).front());
  }
  PGconn* conn = live_connection();
  const detail::LibpqParams values(params);

  detail::PgResultPtr result;
  if (statement.plan_each_time) {
    const std::string sql(statement.sql);
    result.reset(PQexecParams(conn, sql.c_str(), values.count(), nullptr, values.values(), values.lengths(),
                              values.formats(), /*resultFormat=*/0));
  } else {
    const Prepared& prepared = prepare_for(conn, statement, params.size());
    result.reset(PQexecPrepared(conn, prepared.name.c_str(), values.count(), values.values(), values.lengths(),
                                values.formats(), /*resultFormat=*/0));
  }
  if (!detail::succeeded(result.get())) throw detail::error_from_result(conn, result.get(), statement.name);
  return Rows(std::make_shared<const detail::Result>(std::move(result)));
}

void Connection::Impl::execute_script(std::string_view script, std::string_view context) {
  flush_pending_begin();
  PGconn* conn = live_connection();
  const std::string text(script);
  const detail::PgResultPtr result(PQexec(conn, text.c_str()));
  const bool ok =
      detail::succeeded(result.get()) || (result != nullptr && PQresultStatus(result.get()) == PGRES_EMPTY_QUERY);
  if (!ok) throw detail::error_from_result(conn, result.get(), context);
}

void Connection::Impl::run_command(const char* command, std::string_view context) {
  PGconn* conn = conn_.get();
  const detail::PgResultPtr result(PQexec(conn, command));
  if (!detail::succeeded(result.get())) throw detail::error_from_result(conn, result.get(), context);
}

PGTransactionStatusType Connection::Impl::server_transaction_status() const noexcept {
  return conn_ != nullptr ? PQtransactionStatus(conn_.get()) : PQTRANS_UNKNOWN;
}

Connection::Connection(std::string conninfo) : impl_(std::make_unique<Impl>(std::move(conninfo))) {}
Connection::~Connection() = default;
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;

Rows Connection::execute_params(const Statement& statement, std::span<const Param> params) {
  return impl_->execute(statement, params);
}

std::vector<Rows> Connection::execute_pipeline(std::span<const PipelineStep> steps) {
  return run_pipeline(steps, /*commit=*/false);
}

std::vector<Rows> Connection::execute_pipeline_and_commit(std::span<const PipelineStep> steps) {
  if (!in_transaction()) throw std::logic_error("execute_pipeline_and_commit outside a transaction");
  return run_pipeline(steps, /*commit=*/true);
}

std::vector<Rows> Connection::run_pipeline(std::span<const PipelineStep> steps, bool commit) {
  std::vector<Impl::Step> impl_steps;
  impl_steps.reserve(steps.size());
  for (const PipelineStep& step : steps) impl_steps.push_back({&step.statement, step.params});
  return impl_->execute_pipeline(impl_steps, commit);
}

bool Connection::in_transaction() const noexcept { return impl_ != nullptr && impl_->in_transaction(); }

}  // namespace chat::storage
