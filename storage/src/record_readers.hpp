#pragma once
// Row -> record, one function per record type; each reads the columns that
// the statements in sql/ return for it.
#include "chat/storage/rows.hpp"
#include "chat/storage/types.hpp"

#include <utility>
#include <vector>

namespace chat::storage::detail {

User read_user(const Row& row);
Chat read_chat(const Row& row);
Member read_member(const Row& row);
StoredMessage read_stored_message(const Row& row);

// Every row through `read`, in order.
template <class Read>
auto read_rows(const Rows& rows, Read read) {
  std::vector<decltype(read(std::declval<const Row&>()))> records;
  records.reserve(rows.size());
  for (const Row row : rows) records.push_back(read(row));
  return records;
}

}  // namespace chat::storage::detail
