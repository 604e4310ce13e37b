#pragma once
// The transaction of MessageStore::append_messages, shared with the bridge's
// append_messages_notifying (messages.cpp), which adds the notification
// jobs to it.
#include "append_plan.hpp"
#include "chat/storage/connection.hpp"

#include <span>
#include <vector>

namespace chat::storage::detail {

// The whole transaction of a batch, as the fn of Connection::transaction():
// BEGIN, lock the batch's chats, read, decide, insert (and, with
// `queue_notifications`, the notification jobs of what was stored), COMMIT, in
// two round trips. A client id stored concurrently into another chat is
// reported as DbError{serialization_conflict}, so the transaction runs again.
std::vector<AppendResult> append_batch_and_commit(Connection& tx, std::span<const NewMessage> batch,
                                                  const AppendKeys& keys, bool queue_notifications,
                                                  const ActionRules& rules);

}  // namespace chat::storage::detail
