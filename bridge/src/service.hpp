#pragma once
// The running bridge: its threads and how they start and stop.
//
//   Paho thread ── session callback ──> writer queue(s) ──> writer thread(s) ──> PostgreSQL
//                                  ├──> presence queue ──> presence thread ───┤
//                                  └──> request queue ───> request threads ───┘ (own sessions)
//   writer/presence/request threads ──> publisher connection: ack / nack / presence / answers, events
//   notifier thread: outbox ──> webhook          HTTP thread: /healthz, /metrics
//   search indexer thread: messages ──> message_search (the search table)
#include "chat/bridge/config.hpp"
#include "bridge_metrics.hpp"
#include "clock.hpp"
#include "health.hpp"
#include "inbound.hpp"
#include "observability.hpp"

#include <atomic>
#include <memory>

namespace chat::bridge {

class Service {
 public:
  Service(Config config, Logger& log);
  ~Service();

  // Runs until request_stop(); returns the exit code.
  int run();
  // Async-signal-safe: only sets a flag.
  void request_stop() { stop_requested_ = true; }

 private:
  struct Parts;
  Config config_;
  Logger& log_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> give_up_{false};  // the drain's deadline passed: stop retrying
};

}  // namespace chat::bridge
