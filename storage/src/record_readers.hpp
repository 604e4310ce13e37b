#pragma once
// Row -> record, one function per record type; each reads the columns that
// the statements in sql/ return for it.
#include "chat/storage/rows.hpp"
#include "chat/storage/types.hpp"

namespace chat::storage::detail {

User read_user(const Row& row);
Chat read_chat(const Row& row);
Member read_member(const Row& row);
StoredMessage read_stored_message(const Row& row);

}  // namespace chat::storage::detail
