#pragma once
// A writer thread: drains its queue in batches, stores each batch in one
// transaction, then publishes the acks and nacks; applies receipts.
#include "chat/bridge/batch_queue.hpp"
#include "chat/bridge/config.hpp"
#include "db_session.hpp"
#include "bridge_metrics.hpp"
#include "clock.hpp"
#include "health.hpp"
#include "inbound.hpp"
#include "publisher.hpp"
#include "observability.hpp"

#include <map>
#include <thread>
#include <utility>
#include <vector>

namespace chat::bridge {

class Writer {
 public:
  Writer(int index, const Config& config, Publisher& publisher, Health& health, BridgeMetrics& metrics, Logger& log,
         const std::atomic<bool>& give_up);
  ~Writer();

  BatchQueue<Inbound>& queue() { return queue_; }
  void start();
  // Closes the queue; the thread stores what is left and ends (or gives up
  // when `give_up` is set).
  void finish();
  void join();
  bool done() const { return done_; }

 private:
  struct PendingMessage;
  void run();
  void process(std::vector<Inbound>& batch);
  void store_messages(std::vector<PendingMessage>& pending);
  void append(std::vector<PendingMessage>& pending);
  void append_one_by_one(std::vector<PendingMessage>& pending);
  void reply(const PendingMessage& m, const storage::AppendResult& result, AckBatch& acks);
  void publish_acks(AckBatch& acks);
  void nack(const Inbound& item, std::string_view id, std::string_view error, std::string_view detail);
  void apply_receipts(std::vector<storage::ReceiptUpdate>& receipts);

  int index_;
  const Config& config_;
  Publisher& publisher_;
  BridgeMetrics& metrics_;
  Logger& log_;
  BatchQueue<Inbound> queue_;
  DbSession db_;
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> direct_chats_;  // (lo, hi) -> chat
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace chat::bridge
