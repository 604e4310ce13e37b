#pragma once
// One RAII owner per libpq handle, so no path can leak a connection or a result.
#include <libpq-fe.h>

#include <memory>

namespace chat::storage::detail {

struct PgConnDeleter {
  void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};
struct PgResultDeleter {
  void operator()(PGresult* result) const noexcept { PQclear(result); }
};

using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

}  // namespace chat::storage::detail
