#pragma once
// The request path, beside the message path: requests from req/{uid}/{device}
// wait in their own bounded queue for their own threads, each with its own
// database session, so that a slow history or sync never delays a message's
// storage or ack. One user's requests are served one at a time, in the order
// they arrived (KeyedQueue), so what they commit and the events they publish
// reach the user's devices in one order. The MQTT callback never waits here: when the queue is full
// the request is answered `internal` (busy) at once. Answers and membership
// events go out through the publisher connection (the Outbound queue).
#include "chat/bridge/keyed_queue.hpp"
#include "chat/bridge/config.hpp"
#include "db_session.hpp"
#include "bridge_metrics.hpp"
#include "chat/bridge/topics.hpp"
#include "clock.hpp"
#include "health.hpp"
#include "publisher.hpp"
#include "observability.hpp"

#include <memory>
#include <thread>
#include <vector>

namespace chat::bridge {

struct InboundRequest {
  Id uid = 0;
  std::string device;
  std::string payload;
  SteadyClock::time_point received;
};

class RequestWorker {
 public:
  RequestWorker(const Config& config, Publisher& publisher, Health& health, BridgeMetrics& metrics, Logger& log,
                const std::atomic<bool>& give_up);
  ~RequestWorker();

  // From the MQTT callback: queues the request, or answers it busy when the
  // queue is full. Never blocks.
  void submit(InboundRequest request);
  std::size_t queue_depth() const { return queue_.size(); }

  void start();
  // Closes the queue; the threads answer what is queued and end.
  void finish();
  void join();

 private:
  void run(DbSession& db);
  void serve(const InboundRequest& request, DbSession& db);
  void answer(const InboundRequest& request, const std::string& payload, bool ok);

  const Config& config_;
  Publisher& publisher_;
  BridgeMetrics& metrics_;
  Logger& log_;
  KeyedQueue<InboundRequest, Id> queue_;  // keyed by the requesting user
  std::vector<std::unique_ptr<DbSession>> sessions_;
  std::vector<std::thread> threads_;
};

}  // namespace chat::bridge
