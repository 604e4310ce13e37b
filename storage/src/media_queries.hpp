#pragma once
// Media catalogue reads shared by media_catalog.cpp and store.cpp (stats).
#include "chat/storage/admin_types.hpp"
#include "chat/storage/connection.hpp"

namespace chat::storage::detail {

MediaTotals media_totals(Connection& connection);

}  // namespace chat::storage::detail
