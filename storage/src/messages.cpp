// The message path: append_messages (one transaction per batch), with or
// without notification jobs. The readers are in message_history.cpp.
//
// A batch costs two round trips whatever its size (libpq pipelines, see
// pipeline.cpp): BEGIN + lock the chats + read memberships + read already
// stored client ids; then write everything (+ the server times of resent
// originals, when there are any) + COMMIT.
// The decisions in between are plain C++ (append_plan.hpp).
// Or one round trip, when the store can forecast those reads
// (append_forecast.hpp): BEGIN + lock + a check of the forecast + the writes +
// COMMIT in one pipeline; a wrong forecast rolls back and takes the two.
#include "append_forecast.hpp"
#include "append_plan.hpp"
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
  std::vector<detail::StoredTarget> targets;
  std::vector<detail::StoredReaction> reactions;
};

// Schema CHECKs admit known types only: anything else means schema and code disagree.
MessageType stored_type(const Row& row) {
  const std::string text = row.text("type");
  if (const auto type = parse_message_type(text)) return *type;
  throw DbError(DbErrc::internal, "unknown message type \"" + text + "\"");
}

AppendReads read_for_append(Connection& tx, const detail::AppendKeys& keys) {
  std::vector<PipelineStep> steps = {
      {sql::kLockChatsForAppend, {Param::int64_array(keys.chat_ids)}},
      {sql::kFindMemberships, {Param::int64_array(keys.member_chat_ids), Param::int64_array(keys.member_user_ids)}},
      {sql::kFindClientIds, {Param::int64_array(keys.client_sender_ids), Param::text_array(keys.client_msg_ids)}},
  };
  const bool names_targets = !keys.target_seqs.empty();
  if (names_targets) {
    steps.push_back(
        {sql::kFindTargets, {Param::int64_array(keys.target_chat_ids), Param::int64_array(keys.target_seqs)}});
  }
  const bool adds_reactions = !keys.reaction_targets.empty();
  const std::size_t reactions_step = steps.size();
  if (adds_reactions) {
    steps.push_back({sql::kFindUserReactions,
                     {Param::int64_array(keys.reaction_chat_ids), Param::int64_array(keys.reaction_targets),
                      Param::int64_array(keys.reaction_user_ids)}});
  }
  const std::vector<Rows> rows = tx.execute_pipeline(steps);
  AppendReads reads;
  for (const Row row : rows[0]) {
    detail::ChatState& chat = reads.chats.emplace_back(detail::ChatState{
        row.int64("id"), row.int64("last_seq"), row.boolean("deleted"), {}, row.int64("content_count")});
    for (const char* column : {"deleted_lo", "deleted_hi"}) {
      if (const auto gone = row.optional_int64(column)) chat.deleted_members.push_back(*gone);
    }
  }
  for (const Row row : rows[1]) {
    reads.memberships.push_back({row.int64("chat_id"), row.int64("user_id"), row.boolean("owner")});
  }
  for (const Row row : rows[2]) {
    reads.stored.push_back({row.int64("sender_id"), row.text("client_msg_id"), row.int64("chat_id"), row.int64("seq")});
  }
  if (names_targets) {
    for (const Row row : rows[3]) {
      reads.targets.push_back({row.int64("chat_id"), row.int64("seq"), row.int64("sender_id"), stored_type(row),
                               row.boolean("deleted"), row.int64("age_ms")});
    }
  }
  if (adds_reactions) {
    for (const Row row : rows[reactions_step]) {
      reads.reactions.push_back({row.int64("chat_id"), row.int64("seq"), row.int64("user_id"), row.text("emoji")});
    }
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
           Param::text_array(client_ids), Param::text_array(types), Param::text_array(bodies),
           Param::int64_array(plan.advanced_content_counts), Param::int64_array(plan.insert_content_counts)}};
}

// One job per offline member for each message of content the plan stores
// (edits, deletions and reactions notify nobody); nullopt when there is none.
std::optional<PipelineStep> notification_step(std::span<const NewMessage> batch, const detail::AppendPlan& plan) {
  std::vector<ChatId> chats;
  std::vector<Seq> seqs;
  std::vector<UserId> senders;
  for (const std::size_t i : plan.inserts) {
    if (!carries_content(batch[i].type)) continue;
    chats.push_back(plan.results[i].chat_id);
    seqs.push_back(plan.results[i].seq);
    senders.push_back(batch[i].sender_id);
  }
  if (chats.empty()) return std::nullopt;
  return PipelineStep{sql::kQueueNotifications,
                      {Param::int64_array(chats), Param::int64_array(seqs), Param::int64_array(senders)}};
}

// What the plan's stored actions do to their targets, after the insert.
void append_action_steps(const detail::AppendPlan& plan, std::vector<PipelineStep>& writes) {
  if (!plan.edits.empty()) {
    std::vector<ChatId> chats;
    std::vector<Seq> targets;
    std::vector<Seq> actions;
    std::vector<std::string_view> texts;
    for (const detail::TargetEdit& e : plan.edits) {
      chats.push_back(e.chat_id);
      targets.push_back(e.target);
      actions.push_back(e.action_seq);
      texts.push_back(e.text);
    }
    writes.push_back({sql::kApplyEdits,
                      {Param::int64_array(chats), Param::int64_array(targets), Param::int64_array(actions),
                       Param::text_array(texts)}});
  }
  const auto reaction_step = [&](const Statement& statement, const std::vector<detail::ReactionKey>& keys) {
    if (keys.empty()) return;
    std::vector<ChatId> chats;
    std::vector<Seq> targets;
    std::vector<UserId> users;
    std::vector<std::string_view> emojis;
    for (const detail::ReactionKey& k : keys) {
      chats.push_back(k.chat_id);
      targets.push_back(k.target);
      users.push_back(k.user_id);
      emojis.push_back(k.emoji);
    }
    writes.push_back({statement,
                      {Param::int64_array(chats), Param::int64_array(targets), Param::int64_array(users),
                       Param::text_array(emojis)}});
  };
  reaction_step(sql::kAddReactions, plan.reactions_added);
  reaction_step(sql::kRemoveReactions, plan.reactions_removed);
  if (!plan.deletions.empty()) {  // last: it takes the reactions of what it deletes
    std::vector<ChatId> chats;
    std::vector<Seq> targets;
    std::vector<Seq> actions;
    for (const detail::TargetDeletion& d : plan.deletions) {
      chats.push_back(d.chat_id);
      targets.push_back(d.target);
      actions.push_back(d.action_seq);
    }
    writes.push_back(
        {sql::kApplyDeletions, {Param::int64_array(chats), Param::int64_array(targets), Param::int64_array(actions)}});
  }
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

// What a two-round-trip transaction saw and left, for the forecast.
struct Observed {
  std::vector<detail::ChatState> chats;
  std::vector<detail::Membership> memberships;
  std::vector<ChatId> advanced_chat_ids;
  std::vector<Seq> advanced_last_seqs;
  std::vector<std::int64_t> advanced_content_counts;

  detail::AdvancedChats advanced() const { return {advanced_chat_ids, advanced_last_seqs, advanced_content_counts}; }
};

// The writes of a planned batch, then COMMIT, after `before` (statements whose
// rows are not needed here); fills the plan's server times and returns its results.
std::vector<AppendResult> write_and_commit(Connection& tx, std::span<const NewMessage> batch, detail::AppendPlan& plan,
                                           bool queue_notifications, std::vector<PipelineStep> steps) {
  // Steps that answer (chat_id, seq, created_at_ms) rows: the insert and the
  // duplicates' server times.
  std::vector<std::size_t> timed_steps;
  if (!plan.inserts.empty()) {
    timed_steps.push_back(steps.size());
    steps.push_back(insert_step(batch, plan));
    if (queue_notifications) {
      if (auto step = notification_step(batch, plan)) steps.push_back(std::move(*step));
    }
    append_action_steps(plan, steps);
  }
  if (!plan.duplicates.empty()) {
    timed_steps.push_back(steps.size());
    steps.push_back(server_times_step(plan));
  }
  const std::vector<Rows> rows = tx.execute_pipeline_and_commit(steps);
  std::map<std::pair<ChatId, Seq>, TimeMs> created_at;
  for (const std::size_t step : timed_steps) {
    for (const Row row : rows.at(step)) {
      created_at.emplace(std::pair{row.int64("chat_id"), row.int64("seq")}, row.int64("created_at_ms"));
    }
  }
  detail::complete_append(plan, created_at);
  return std::move(plan.results);
}

std::vector<AppendResult> append_and_commit(Connection& tx, std::span<const NewMessage> batch,
                                            const detail::AppendKeys& keys, bool queue_notifications,
                                            const ActionRules& rules, Observed* observed) {
  AppendReads reads = read_for_append(tx, keys);
  detail::AppendPlan plan =
      detail::plan_append(batch, reads.chats, reads.memberships, reads.stored, reads.targets, reads.reactions, rules);
  if (observed != nullptr) {
    observed->advanced_chat_ids = plan.advanced_chat_ids;
    observed->advanced_last_seqs = plan.advanced_last_seqs;
    observed->advanced_content_counts = plan.advanced_content_counts;
    observed->chats = std::move(reads.chats);
    observed->memberships = std::move(reads.memberships);
  }
  return write_and_commit(tx, batch, plan, queue_notifications, {});
}

// The one-round-trip transaction: the plan is made from the forecast before
// anything is sent; the lock, the forecast's check (which raises when it is
// wrong, and the rest is skipped), the writes and COMMIT go in one pipeline.
std::vector<AppendResult> append_forecast_and_commit(Connection& tx, std::span<const NewMessage> batch,
                                                     const detail::AppendKeys& keys, bool queue_notifications,
                                                     const ActionRules& rules, const detail::ForecastReads& expected,
                                                     Observed& observed) {
  // No stored reactions: a batch with targets is never forecast.
  detail::AppendPlan plan = detail::plan_append(batch, expected.chats, expected.memberships, {}, {}, {}, rules);
  std::vector<PipelineStep> steps = {
      {sql::kLockChatsForAppend, {Param::int64_array(keys.chat_ids)}},
      {sql::kCheckAppendForecast,
       {Param::int64_array(keys.chat_ids), Param::int64_array(keys.member_chat_ids),
        Param::int64_array(keys.member_user_ids)}},
  };
  observed.advanced_chat_ids = plan.advanced_chat_ids;
  observed.advanced_last_seqs = plan.advanced_last_seqs;
  observed.advanced_content_counts = plan.advanced_content_counts;
  return write_and_commit(tx, batch, plan, queue_notifications, std::move(steps));
}

// The one-round-trip transaction failed on what its forecast assumed: the
// check (a chat or a membership changed), messages_pkey (another writer
// advanced a chat: the forecast's first seq is taken) or the client ids' key
// (a resend, or a concurrent batch stored the same id).
bool forecast_missed(const DbError& error) {
  if (error.constraint() == constraint::append_forecast_missed) return true;
  return error.code() == DbErrc::unique_violation &&
         (error.constraint() == constraint::message_seq_taken || error.constraint() == constraint::client_msg_id_taken);
}

// The chat locks serialize resends into the same chat. A resend of one client
// id into two different chats at once is not serialized by them: the loser
// fails on the client-id key after the winner committed. Running again finds
// the winner's row: a duplicate.
template <class Fn>
std::vector<AppendResult> retrying_client_id_races(Fn&& append) {
  try {
    return append();
  } catch (const DbError& error) {
    if (error.code() == DbErrc::unique_violation && error.constraint() == constraint::client_msg_id_taken) {
      throw DbError(DbErrc::serialization_conflict, "append: a concurrent batch stored the same client id; retrying",
                    error.sqlstate(), error.constraint());
    }
    throw;
  }
}

}  // namespace

MessageStore::MessageStore(Connection& connection)
    : connection_(connection), forecast_(std::make_unique<detail::AppendForecast>()) {}

MessageStore::~MessageStore() = default;

std::vector<AppendResult> MessageStore::append_messages(std::span<const NewMessage> batch, const ActionRules& rules) {
  return append(batch, rules, /*notifying=*/false);
}

std::vector<AppendResult> MessageStore::append_messages_notifying(std::span<const NewMessage> batch,
                                                                  const ActionRules& rules) {
  return append(batch, rules, /*notifying=*/true);
}

std::vector<AppendResult> MessageStore::append(std::span<const NewMessage> batch, const ActionRules& rules,
                                               bool notifying) {
  if (batch.empty()) return {};
  const detail::AppendKeys keys = detail::collect_append_keys(batch);
  // Re-running a batch is safe: what it stored is found again as duplicates
  // with the original seqs. So a COMMIT lost with the connection is retried
  // (a forecast transaction re-run after it committed fails its check and
  // takes the two-round-trip path, which finds the duplicates).
  TransactionOptions options;
  options.idempotent = true;
  Observed observed;
  try {
    if (const auto expected = forecast_->predict(keys)) {
      try {
        std::vector<AppendResult> results = connection_.transaction(
            [&](Connection& tx) {
              // A key violation here is a wrong forecast, not a race to retry.
              return append_forecast_and_commit(tx, batch, keys, notifying, rules, *expected, observed);
            },
            options);
        forecast_->advance(observed.advanced());
        ++path_counts_.one_round_trip;
        return results;
      } catch (const DbError& error) {
        if (!forecast_missed(error)) throw;
        forecast_->missed(keys.chat_ids);
        ++path_counts_.forecast_missed;
      }
    }
    std::vector<AppendResult> results = connection_.transaction(
        [&](Connection& tx) {
          return retrying_client_id_races(
              [&] { return append_and_commit(tx, batch, keys, notifying, rules, &observed); });
        },
        options);
    forecast_->learn(observed.chats, observed.memberships, observed.advanced());
    ++path_counts_.two_round_trips;
    return results;
  } catch (...) {
    forecast_->clear();  // the outcome may be unknown (commit_in_doubt): expect nothing
    throw;
  }
}

}  // namespace chat::storage
