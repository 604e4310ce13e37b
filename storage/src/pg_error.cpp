#include "pg_error.hpp"

#include <string>

namespace chat::storage::detail {
namespace {

// libpq messages end in a newline and may carry a second, indented hint line;
// the first line says it all.
std::string first_line(const char* message) {
  if (message == nullptr) return {};
  std::string text(message);
  if (const auto end = text.find('\n'); end != std::string::npos) text.resize(end);
  return text;
}

std::string field(const PGresult* result, int code) {
  if (result == nullptr) return {};
  const char* value = PQresultErrorField(result, code);
  return value != nullptr ? value : "";
}

}  // namespace

DbError error_from_result(const PGconn* conn, const PGresult* result, std::string_view context) {
  std::string sqlstate = field(result, PG_DIAG_SQLSTATE);
  std::string constraint = field(result, PG_DIAG_CONSTRAINT_NAME);
  // The primary message only: DETAIL may quote the offending values (phone
  // numbers, usernames), which do not belong in every log line.
  std::string message = field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty()) message = first_line(PQerrorMessage(conn));

  DbErrc code = sqlstate.empty() ? DbErrc::internal : classify_sqlstate(sqlstate);
  if (PQstatus(conn) == CONNECTION_BAD) code = DbErrc::connection_lost;

  std::string text = std::string(context) + ": " + message;
  if (!sqlstate.empty()) text += " (SQLSTATE " + sqlstate + ")";
  return DbError(code, text, std::move(sqlstate), std::move(constraint));
}

DbError connect_error(const PGconn* conn) {
  // Not connecting is treated as a lost connection: the usual causes (server
  // down, restarting, too many clients) pass, and retrying is the answer.
  return DbError(DbErrc::connection_lost, "cannot connect to PostgreSQL: " +
                                              (conn != nullptr ? first_line(PQerrorMessage(conn)) : "out of memory"));
}

}  // namespace chat::storage::detail
