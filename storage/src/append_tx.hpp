#pragma once
// The body of Store::append_messages' transaction, shared with the bridge's
// append_messages_notifying (store_delivery.cpp), which adds the notification
// jobs to the same transaction.
#include "append_plan.hpp"
#include "chat/storage/connection.hpp"

#include <span>
#include <vector>

namespace chat::storage::detail {

// Locks the batch's chats, decides, and inserts; must run inside a transaction.
// A client id stored concurrently into another chat is reported as
// DbError{serialization_conflict}, so the transaction runs again.
std::vector<AppendResult> append_batch(Connection& tx, std::span<const NewMessage> batch,
                                       const AppendKeys& keys);

}  // namespace chat::storage::detail
