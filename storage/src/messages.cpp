// The message path: append_messages (one transaction per batch), with or
// without notification jobs. The readers are in message_history.cpp.
//
// A batch costs two round trips whatever its size (libpq pipelines, see
// pipeline.cpp): BEGIN + lock the chats + read memberships + read already
// stored client ids; then write everything (+ the server times of resent
// originals, when there are any) + COMMIT.
// The decisions in between are plain C++ (append_plan.hpp).
#include "append_plan.hpp"
#include "append_tx.hpp"
#include "chat/storage/constraints.hpp"
#include "chat/storage/messages.hpp"
#include "record_readers.hpp"
#include "sql/delivery_sql.hpp"
#include "sql/messages_sql.hpp"

namespace chat::storage {
namespace {

// Reads of the first round trip. The lock comes first: what is read after it
// (memberships, stored ids) cannot change for these chats until this
// transaction ends; each read is a statement of its own, so in READ COMMITTED
// its snapshot is taken after the lock was granted.
struct AppendReads {
  std::vector<detail::ChatState> chats;
  std::vector<detail::Membership> memberships;
  std::vector<detail::StoredClientId> stored;
};

AppendReads read_for_append(Connection& tx, const detail::AppendKeys& keys) {
  const PipelineStep steps[] = {
      {sql::kLockChatsForAppend, {Param::int64_array(keys.chat_ids)}},
      {sql::kFindMemberships, {Param::int64_array(keys.member_chat_ids), Param::int64_array(keys.member_user_ids)}},
      {sql::kFindClientIds, {Param::int64_array(keys.client_sender_ids), Param::text_array(keys.client_msg_ids)}},
  };
  const std::vector<Rows> rows = tx.execute_pipeline(steps);
  AppendReads reads;
  for (const Row row : rows[0]) {
    detail::ChatState& chat =
        reads.chats.emplace_back(detail::ChatState{row.int64("id"), row.int64("last_seq"), row.boolean("deleted"), {}});
    for (const char* column : {"deleted_lo", "deleted_hi"}) {
      if (const auto gone = row.optional_int64(column)) chat.deleted_members.push_back(*gone);
    }
  }
  for (const Row row : rows[1]) reads.memberships.push_back({row.int64("chat_id"), row.int64("user_id")});
  for (const Row row : rows[2]) {
    reads.stored.push_back({row.int64("sender_id"), row.text("client_msg_id"), row.int64("chat_id"), row.int64("seq")});
  }
  return reads;
}

PipelineStep insert_step(std::span<const NewMessage> batch, const detail::AppendPlan& plan) {
  std::vector<ChatId> chat_ids;
  std::vector<Seq> seqs;
  std::vector<UserId> sender_ids;
  std::vector<std::string_view> client_ids;
  std::vector<std::string_view> types;
  std::vector<std::string_view> bodies;
  for (const std::size_t i : plan.inserts) {
    chat_ids.push_back(plan.results[i].chat_id);
    seqs.push_back(plan.results[i].seq);
    sender_ids.push_back(batch[i].sender_id);
    client_ids.push_back(batch[i].client_msg_id);
    types.push_back(to_string(batch[i].type));
    bodies.push_back(batch[i].body);
  }
  return {sql::kInsertMessages,
          {Param::int64_array(plan.advanced_chat_ids), Param::int64_array(plan.advanced_last_seqs),
           Param::int64_array(chat_ids), Param::int64_array(seqs), Param::int64_array(sender_ids),
           Param::text_array(client_ids), Param::text_array(types), Param::text_array(bodies)}};
}

// One job per offline member for each message the plan stores.
PipelineStep notification_step(std::span<const NewMessage> batch, const detail::AppendPlan& plan) {
  std::vector<ChatId> chats;
  std::vector<Seq> seqs;
  std::vector<UserId> senders;
  for (const std::size_t i : plan.inserts) {
    chats.push_back(plan.results[i].chat_id);
    seqs.push_back(plan.results[i].seq);
    senders.push_back(batch[i].sender_id);
  }
  return {sql::kQueueNotifications, {Param::int64_array(chats), Param::int64_array(seqs), Param::int64_array(senders)}};
}

// The server times of the originals that the plan's duplicates are answered with.
PipelineStep server_times_step(const detail::AppendPlan& plan) {
  std::vector<ChatId> chats;
  std::vector<Seq> seqs;
  for (const std::size_t i : plan.duplicates) {
    chats.push_back(plan.results[i].chat_id);
    seqs.push_back(plan.results[i].seq);
  }
  return {sql::kFindServerTimes, {Param::int64_array(chats), Param::int64_array(seqs)}};
}

std::vector<AppendResult> append_and_commit(Connection& tx, std::span<const NewMessage> batch,
                                            const detail::AppendKeys& keys, bool queue_notifications) {
  const AppendReads reads = read_for_append(tx, keys);
  detail::AppendPlan plan = detail::plan_append(batch, reads.chats, reads.memberships, reads.stored);
  // Steps that answer (chat_id, seq, created_at_ms) rows: the insert and the
  // duplicates' server times.
  std::vector<PipelineStep> writes;
  std::vector<std::size_t> timed_steps;
  if (!plan.inserts.empty()) {
    timed_steps.push_back(writes.size());
    writes.push_back(insert_step(batch, plan));
    if (queue_notifications) writes.push_back(notification_step(batch, plan));
  }
  if (!plan.duplicates.empty()) {
    timed_steps.push_back(writes.size());
    writes.push_back(server_times_step(plan));
  }
  const std::vector<Rows> rows = tx.execute_pipeline_and_commit(writes);
  std::map<std::pair<ChatId, Seq>, TimeMs> created_at;
  for (const std::size_t step : timed_steps) {
    for (const Row row : rows.at(step)) {
      created_at.emplace(std::pair{row.int64("chat_id"), row.int64("seq")}, row.int64("created_at_ms"));
    }
  }
  detail::complete_append(plan, created_at);
  return std::move(plan.results);
}

}  // namespace

std::vector<AppendResult> detail::append_batch_and_commit(Connection& tx, std::span<const NewMessage> batch,
                                                          const detail::AppendKeys& keys, bool queue_notifications) {
  try {
    return append_and_commit(tx, batch, keys, queue_notifications);
  } catch (const DbError& error) {
    // The chat locks serialize resends into the same chat. A resend of one
    // client id into two different chats at once is not serialized by them:
    // the loser fails on the client-id key after the winner committed.
    // Running again finds the winner's row: a duplicate.
    if (error.code() == DbErrc::unique_violation && error.constraint() == constraint::client_msg_id_taken) {
      throw DbError(DbErrc::serialization_conflict, "append: a concurrent batch stored the same client id; retrying",
                    error.sqlstate(), error.constraint());
    }
    throw;
  }
}

std::vector<AppendResult> MessageStore::append_messages(std::span<const NewMessage> batch) {
  if (batch.empty()) return {};
  const detail::AppendKeys keys = detail::collect_append_keys(batch);
  // Re-running a batch is safe: what it stored is found again as duplicates
  // with the original seqs. So a COMMIT lost with the connection is retried.
  TransactionOptions options;
  options.idempotent = true;
  return connection_.transaction(
      [&](Connection& tx) { return detail::append_batch_and_commit(tx, batch, keys, /*queue_notifications=*/false); },
      options);
}

std::vector<AppendResult> MessageStore::append_messages_notifying(std::span<const NewMessage> batch) {
  if (batch.empty()) return {};
  const detail::AppendKeys keys = detail::collect_append_keys(batch);
  TransactionOptions options;
  options.idempotent = true;  // as append_messages: a re-run finds its own rows as duplicates
  return connection_.transaction(
      [&](Connection& tx) { return detail::append_batch_and_commit(tx, batch, keys, /*queue_notifications=*/true); },
      options);
}

}  // namespace chat::storage
