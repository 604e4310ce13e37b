#include "writer.hpp"

#include "chat/bridge/inbound_classification.hpp"
#include "chat/protocol/events.hpp"

#include <algorithm>
#include <variant>

namespace chat::bridge {

struct Writer::PendingMessage {
  const Inbound* item = nullptr;
  storage::NewMessage message;
};

namespace {

using protocol::ErrorCode;
using protocol::to_string;
namespace nack_detail = protocol::nack_detail;

// An `acks` event stays well under the broker's packet limits.
constexpr std::size_t kMaxEventBytes = 64 * 1024;

std::pair<std::int64_t, std::int64_t> pair_key(std::int64_t a, std::int64_t b) {
  return {std::min(a, b), std::max(a, b)};
}

storage::ActionRules action_rules(const Config& config) {
  storage::ActionRules rules;
  rules.edit_window_ms = static_cast<storage::TimeMs>(config.edit_window_s) * 1000;
  return rules;
}

double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

}  // namespace

Writer::Writer(int index, const Config& config, Publisher& publisher, Health& health, BridgeMetrics& metrics,
               Logger& log, const std::atomic<bool>& give_up)
    : index_(index),
      config_(config),
      publisher_(publisher),
      metrics_(metrics),
      log_(log),
      queue_(static_cast<std::size_t>(std::max(1, config.queue_capacity / config.writers))),
      db_(config.database_url,
          BackoffPolicy{std::chrono::milliseconds(config.db_backoff_first_ms),
                        std::chrono::milliseconds(config.db_backoff_max_ms)},
          give_up, health, metrics, log, "writer-" + std::to_string(index)) {}

Writer::~Writer() {
  finish();
  join();
}

void Writer::start() {
  thread_ = std::thread([this] {
    run();
    done_ = true;
  });
}

void Writer::finish() { queue_.close(); }

void Writer::join() {
  if (thread_.joinable()) thread_.join();
}

void Writer::run() {
  const auto max = static_cast<std::size_t>(config_.batch_max);
  const auto linger = std::chrono::milliseconds(config_.batch_linger_ms);
  const auto idle_gap = std::chrono::microseconds(config_.batch_idle_gap_us);
  for (;;) {
    std::vector<Inbound> batch = queue_.pop_batch(max, std::chrono::milliseconds(200), linger, idle_gap);
    if (batch.empty()) {
      if (queue_.closed() && queue_.size() == 0) return;
      continue;
    }
    try {
      process(batch);
    } catch (const Abandoned&) {
      log_.warn("stopping with messages not stored; their senders resend them",
                {{"writer", index_}, {"messages", static_cast<std::uint64_t>(batch.size() + queue_.size())}});
      return;
    } catch (const std::exception& error) {
      // A bug or an unexpected database answer: nothing of this batch is acked,
      // so its senders resend it after their next reconnect.
      metrics_.dropped.inc(batch.size());
      db_.reset();
      log_.error("batch dropped",
                 {{"writer", index_}, {"error", error.what()}, {"messages", static_cast<std::uint64_t>(batch.size())}});
    }
  }
}

void Writer::process(std::vector<Inbound>& batch) {
  std::vector<PendingMessage> messages;
  std::vector<storage::ReceiptUpdate> receipts;
  for (const Inbound& item : batch) {
    const InboundTopic& t = item.topic;
    if (t.is_message()) {
      auto classified = classify_message(t, item.payload, static_cast<std::size_t>(config_.max_payload_bytes));
      if (auto* error = std::get_if<PayloadError>(&classified)) {
        if (error->error == to_string(ErrorCode::too_large)) {
          metrics_.refused_too_large.inc();
        } else {
          metrics_.refused_bad_request.inc();
        }
        if (error->id) {
          nack(item, *error->id, error->error, error->detail);
        } else {
          metrics_.dropped.inc();
          log_.warn("unreadable message dropped", {{"topic", item.topic_text}, {"detail", error->detail}});
        }
        continue;
      }
      PendingMessage m;
      m.item = &item;
      m.message = std::move(std::get<MessageToStore>(classified));
      messages.push_back(std::move(m));
    } else if (t.is_receipt()) {
      metrics_.receipts.inc();
      auto receipt = classify_receipt(t, item.payload);
      if (!receipt) {
        log_.debug("unreadable receipt ignored", {{"topic", item.topic_text}});
        continue;
      }
      receipts.push_back(std::move(*receipt));
    }
  }
  if (!messages.empty()) store_messages(messages);
  if (!receipts.empty()) apply_receipts(receipts);
}

void Writer::store_messages(std::vector<PendingMessage>& pending) {
  // Direct chats named by topic: from the cache, else resolved (and created)
  // for the whole batch in one transaction. A cached chat id is taken at once:
  // resolving the others may clear the cache.
  std::vector<storage::UserPair> unresolved;
  for (PendingMessage& m : pending) {
    if (m.message.chat_id != 0) continue;
    const InboundTopic& t = m.item->topic;
    if (const auto cached = direct_chats_.find(pair_key(t.from, t.target)); cached != direct_chats_.end()) {
      m.message.chat_id = cached->second;
    } else {
      unresolved.push_back({t.from, t.target});
    }
  }
  std::vector<bool> refused(pending.size(), false);
  if (!unresolved.empty()) {
    const auto refs = db_.run([&](storage::Store& s) { return s.chats().resolve_direct_chats(unresolved); });
    if (direct_chats_.size() + refs.size() > static_cast<std::size_t>(config_.direct_chat_cache_max)) {
      direct_chats_.clear();
    }
    std::map<std::pair<std::int64_t, std::int64_t>, storage::DirectChatRef> resolved;
    for (std::size_t i = 0; i < refs.size(); ++i) {
      resolved[{unresolved[i].from, unresolved[i].to}] = refs[i];
      if (refs[i].chat_id) direct_chats_[pair_key(unresolved[i].from, unresolved[i].to)] = *refs[i].chat_id;
    }
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (pending[i].message.chat_id != 0) continue;
      const InboundTopic& t = pending[i].item->topic;
      const auto it = resolved.find({t.from, t.target});
      if (it == resolved.end()) continue;
      if (it->second.chat_id) {
        pending[i].message.chat_id = *it->second.chat_id;
        continue;
      }
      refused[i] = true;
      if (!it->second.from_exists) {
        metrics_.refused_forbidden.inc();
        nack(*pending[i].item, pending[i].message.client_msg_id, to_string(ErrorCode::forbidden),
             nack_detail::kUnknownSender);
      } else {
        metrics_.refused_not_found.inc();
        nack(*pending[i].item, pending[i].message.client_msg_id, to_string(ErrorCode::not_found),
             nack_detail::kUnknownRecipient);
      }
    }
  }
  std::vector<PendingMessage> ready;
  ready.reserve(pending.size());
  for (std::size_t i = 0; i < pending.size(); ++i) {
    if (!refused[i]) ready.push_back(std::move(pending[i]));
  }
  if (!ready.empty()) append(ready);
}

void Writer::append(std::vector<PendingMessage>& pending) {
  std::vector<storage::NewMessage> batch;
  batch.reserve(pending.size());
  for (const PendingMessage& m : pending) batch.push_back(m.message);
  const bool notify = config_.notifications_enabled();
  const storage::ActionRules rules = action_rules(config_);
  const auto started = SteadyClock::now();
  std::vector<storage::AppendResult> results;
  try {
    results = db_.run([&](storage::Store& s) {
      return notify ? s.messages().append_messages_notifying(batch, rules) : s.messages().append_messages(batch, rules);
    });
  } catch (const storage::DbError& error) {
    // Not retryable: some message of the batch is refused by the schema. Find
    // it by storing the messages one by one.
    log_.warn("batch refused by the database, storing one by one",
              {{"writer", index_}, {"error", error.what()}, {"messages", static_cast<std::uint64_t>(batch.size())}});
    append_one_by_one(pending);
    return;
  }
  metrics_.batch_seconds.observe(seconds_since(started));
  metrics_.batch_size.observe(static_cast<double>(batch.size()));
  AckBatch acks(kMaxEventBytes);
  for (std::size_t i = 0; i < pending.size(); ++i) reply(pending[i], results[i], acks);
  publish_acks(acks);
}

void Writer::publish_acks(AckBatch& acks) {
  for (AckEvent& event : acks.take()) publisher_.publish_acks(std::move(event));
}

void Writer::append_one_by_one(std::vector<PendingMessage>& pending) {
  const bool notify = config_.notifications_enabled();
  const storage::ActionRules rules = action_rules(config_);
  AckBatch acks(kMaxEventBytes);
  for (PendingMessage& m : pending) {
    const std::vector<storage::NewMessage> one{m.message};
    try {
      const auto results = db_.run([&](storage::Store& s) {
        return notify ? s.messages().append_messages_notifying(one, rules) : s.messages().append_messages(one, rules);
      });
      metrics_.batch_size.observe(1);
      reply(m, results.front(), acks);
    } catch (const storage::DbError& error) {
      switch (error.code()) {
        case storage::DbErrc::check_violation:
        case storage::DbErrc::invalid_input:
        case storage::DbErrc::not_null_violation:
          metrics_.refused_bad_request.inc();
          nack(*m.item, m.message.client_msg_id, to_string(ErrorCode::bad_request), "refused by the database");
          break;
        default:
          metrics_.dropped.inc();
          log_.error("message dropped", {{"topic", m.item->topic_text}, {"error", error.what()}});
          break;
      }
    }
  }
  publish_acks(acks);
}

void Writer::reply(const PendingMessage& m, const storage::AppendResult& result, AckBatch& acks) {
  const Reply r = reply_for(result);
  const InboundTopic& t = m.item->topic;
  if (r.ack) {
    if (result.duplicate()) {
      metrics_.duplicates.inc();
    } else {
      metrics_.stored.inc();
    }
    acks.add(t.from, AckEntry{result.chat_id, m.message.client_msg_id, result.seq, result.created_at_ms},
             m.item->received);
    return;
  }
  if (r.error == to_string(ErrorCode::not_found)) {
    metrics_.refused_not_found.inc();
    // A missing target says nothing about the chat; the rest may mean it is gone.
    if (t.kind == TopicKind::dm_msg && result.status != storage::AppendStatus::target_not_found &&
        result.status != storage::AppendStatus::target_deleted) {
      direct_chats_.erase(pair_key(t.from, t.target));
    }
  } else if (r.error == to_string(ErrorCode::bad_request)) {
    metrics_.refused_bad_request.inc();
  } else {
    metrics_.refused_forbidden.inc();
  }
  nack(*m.item, m.message.client_msg_id, r.error, r.detail);
}

void Writer::nack(const Inbound& item, std::string_view id, std::string_view error, std::string_view detail) {
  publisher_.publish(event_topic(item.topic.from), nack_event(id, item.topic_text, error, detail), false);
  metrics_.nacks.inc();
}

void Writer::apply_receipts(std::vector<storage::ReceiptUpdate>& receipts) {
  try {
    const auto changes = db_.run([&](storage::Store& s) { return s.delivery().apply_receipts(receipts); });
    metrics_.cursor_moves.inc(changes.size());
  } catch (const storage::DbError& error) {
    log_.warn("receipts not applied", {{"writer", index_}, {"error", error.what()}});
  }
}

}  // namespace chat::bridge
