#pragma once
// Turns libpq's failure reports into DbError.
#include "chat/storage/errors.hpp"

#include <libpq-fe.h>

#include <string_view>

namespace chat::storage::detail {

// A statement's result that is not an error (COMMAND_OK or TUPLES_OK).
inline bool succeeded(const PGresult* result) {
  if (result == nullptr) return false;
  const auto status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

// The error of a failed statement. `result` may be null (libpq could not even
// produce a result). A connection that is dead afterwards makes it
// connection_lost whatever the SQLSTATE said: the session, and with it any
// open transaction, is gone.
DbError error_from_result(const PGconn* conn, const PGresult* result, std::string_view context);

// The error of a connection that could not be opened.
DbError connect_error(const PGconn* conn);

}  // namespace chat::storage::detail
