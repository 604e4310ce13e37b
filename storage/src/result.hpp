#pragma once
#include "pg_handles.hpp"

namespace chat::storage::detail {

// What a Rows shares: the PGresult of one successful statement.
struct Result {
  explicit Result(PgResultPtr owned) : result(std::move(owned)) {}
  PgResultPtr result;
};

}  // namespace chat::storage::detail
