#pragma once
// Media catalogue reads shared by store_media.cpp and store_admin.cpp.
#include "chat/storage/admin_types.hpp"
#include "chat/storage/connection.hpp"

namespace chat::storage::detail {

MediaTotals media_totals(Connection& connection);

}  // namespace chat::storage::detail
