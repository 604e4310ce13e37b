#pragma once
// The search indexer: copies stored messages' text into the search table
// (MessageStore::index_for_search) in batches, off the writers' transactions,
// so that keeping the trigram index costs the message path nothing. Wakes
// every search_index_poll_ms when it has caught up, and goes round after
// round while messages are left; across bridges one indexes at a time (the
// others find the turn taken and wait for their next round).
//
// It yields to the message path: while the writers have messages waiting
// (the machine is short of time for them), after a round that took T it
// waits search_index_yield * T (9 by default), so that it takes about a tenth of the time it
// would and the backlog is worked off once the load drops.
#include "chat/bridge/config.hpp"
#include "db_session.hpp"
#include "bridge_metrics.hpp"
#include "clock.hpp"
#include "health.hpp"
#include "observability.hpp"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace chat::bridge {

class SearchIndexer {
 public:
  // writers_busy: true while the writers have messages waiting.
  SearchIndexer(const Config& config, Health& health, BridgeMetrics& metrics, Logger& log,
                const std::atomic<bool>& give_up, std::function<bool()> writers_busy);

  ~SearchIndexer();

  void start();
  void stop();  // after the round in hand

 private:
  void run();
  bool round();  // true when messages were left for another round
  void pause(std::chrono::milliseconds duration);

  const Config& config_;
  std::function<bool()> writers_busy_;
  BridgeMetrics& metrics_;
  Logger& log_;
  DbSession db_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  SteadyClock::time_point next_backlog_sample_{};
  bool merge_refusal_logged_ = false;
  std::thread thread_;
};

}  // namespace chat::bridge
