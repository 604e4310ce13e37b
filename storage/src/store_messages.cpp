// The message path: append_messages (one transaction per batch) and history.
//
// A batch costs six round trips whatever its size: BEGIN, lock the chats,
// read memberships, read already-stored client ids, write everything, COMMIT.
// The decisions in between are plain C++ (append_plan.hpp).
#include "append_plan.hpp"
#include "append_tx.hpp"
#include "chat/storage/constraints.hpp"
#include "chat/storage/store.hpp"
#include "record_readers.hpp"
#include "sql/messages_sql.hpp"

namespace chat::storage {
namespace {

std::vector<detail::ChatState> lock_chats(Connection& tx, const detail::AppendKeys& keys) {
  std::vector<detail::ChatState> chats;
  for (const Row row : tx.execute(sql::kLockChatsForAppend, Param::int64_array(keys.chat_ids))) {
    chats.push_back({row.int64("id"), row.int64("last_seq"), row.boolean("deleted")});
  }
  return chats;
}

std::vector<detail::Membership> find_memberships(Connection& tx, const detail::AppendKeys& keys) {
  std::vector<detail::Membership> memberships;
  for (const Row row : tx.execute(sql::kFindMemberships, Param::int64_array(keys.member_chat_ids),
                                  Param::int64_array(keys.member_user_ids))) {
    memberships.push_back({row.int64("chat_id"), row.int64("user_id")});
  }
  return memberships;
}

std::vector<detail::StoredClientId> find_stored(Connection& tx, const detail::AppendKeys& keys) {
  std::vector<detail::StoredClientId> stored;
  for (const Row row : tx.execute(sql::kFindClientIds, Param::int64_array(keys.client_sender_ids),
                                  Param::text_array(keys.client_msg_ids))) {
    stored.push_back({row.int64("sender_id"), row.text("client_msg_id"), row.int64("chat_id"),
                      row.int64("seq"), row.int64("created_at_ms")});
  }
  return stored;
}

void insert_planned(Connection& tx, std::span<const NewMessage> batch, detail::AppendPlan& plan) {
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
  const Rows inserted = tx.execute(
      sql::kInsertMessages, Param::int64_array(plan.advanced_chat_ids),
      Param::int64_array(plan.advanced_last_seqs), Param::int64_array(chat_ids),
      Param::int64_array(seqs), Param::int64_array(sender_ids), Param::text_array(client_ids),
      Param::text_array(types), Param::text_array(bodies));

  std::map<std::pair<ChatId, Seq>, TimeMs> created_at;
  for (const Row row : inserted) {
    created_at.emplace(std::pair{row.int64("chat_id"), row.int64("seq")}, row.int64("created_at_ms"));
  }
  detail::complete_append(plan, created_at);
}

std::vector<AppendResult> append_in_transaction(Connection& tx, std::span<const NewMessage> batch,
                                                const detail::AppendKeys& keys) {
  // Locks first: what is read after them (memberships, stored ids) cannot
  // change under this transaction for these chats until it commits.
  const auto chats = lock_chats(tx, keys);
  const auto memberships = find_memberships(tx, keys);
  const auto stored = find_stored(tx, keys);
  detail::AppendPlan plan = detail::plan_append(batch, chats, memberships, stored);
  if (!plan.inserts.empty()) insert_planned(tx, batch, plan);
  return std::move(plan.results);
}

}  // namespace

std::vector<AppendResult> detail::append_batch(Connection& tx, std::span<const NewMessage> batch,
                                               const detail::AppendKeys& keys) {
  try {
    return append_in_transaction(tx, batch, keys);
  } catch (const DbError& error) {
    if (error.code() == DbErrc::unique_violation &&
        error.constraint() == constraint::client_msg_id_taken) {
      throw DbError(DbErrc::serialization_conflict,
                    "append: a concurrent batch stored the same client id; retrying",
                    error.sqlstate(), error.constraint());
    }
    throw;
  }
}

std::vector<AppendResult> Store::append_messages(std::span<const NewMessage> batch) {
  if (batch.empty()) return {};
  const detail::AppendKeys keys = detail::collect_append_keys(batch);

  // Re-running a batch is safe: what it stored is found again as duplicates
  // with the original seqs. So a COMMIT lost with the connection is retried.
  TransactionOptions options;
  options.idempotent = true;

  return connection_.transaction(
      [&](Connection& tx) {
        try {
          return append_in_transaction(tx, batch, keys);
        } catch (const DbError& error) {
          // The chat locks serialize resends into the same chat. A resend of
          // one client id into two different chats at once is not serialized
          // by them: the loser fails on the client-id key after the winner
          // committed. Running again finds the winner's row: a duplicate.
          if (error.code() == DbErrc::unique_violation &&
              error.constraint() == constraint::client_msg_id_taken) {
            throw DbError(DbErrc::serialization_conflict,
                          "append: a concurrent batch stored the same client id; retrying",
                          error.sqlstate(), error.constraint());
          }
          throw;
        }
      },
      options);
}

std::vector<StoredMessage> Store::history(ChatId chat, Seq after_seq, int limit) {
  if (limit < 0) throw DbError(DbErrc::invalid_input, "history: limit must not be negative");
  std::vector<StoredMessage> messages;
  for (const Row row : connection_.execute(sql::kHistoryAfter, chat, after_seq, limit)) {
    messages.push_back(detail::read_stored_message(row));
  }
  return messages;
}

}  // namespace chat::storage
