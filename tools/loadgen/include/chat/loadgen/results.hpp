#pragma once
// The raw outcome of a messaging run (plain, platform, fanout), before it
// becomes a report (run_report.hpp).
#include "chat/loadgen/histogram.hpp"
#include "chat/loadgen/tracker.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::loadgen {

struct RunTotals {
  // Times in microseconds since the epoch; 0 = never happened.
  std::uint64_t t0_us = 0;        // the send phase began
  std::uint64_t send_end_us = 0;  // the last first-send was made
  std::uint64_t end_us = 0;       // drained, or --drain-timeout
  std::uint64_t last_ack_us = 0;
  std::uint64_t last_delivery_us = 0;
  double cpu_s = 0;      // the loadgen's CPU over [t0, end]
  double connect_s = 0;  // connect + subscribe, all clients

  std::uint64_t clients = 0;
  std::uint64_t issued = 0;  // first sends
  std::uint64_t acked = 0;
  std::uint64_t rejected = 0;
  std::uint64_t publish_failures = 0;
  std::uint64_t resends = 0;
  std::uint64_t reconnects = 0;
  std::uint64_t unknown_acks = 0;
  std::uint64_t foreign = 0;
  DeliveryCounts counts;
  bool drained = true;
  Histogram e2e;          // µs, first deliveries
  Histogram ack;          // µs, intended send (due time, or first publish in the closed loop) to the ack
  Histogram publish_ack;  // µs, first publish (handed to the broker) to the ack
  Histogram outbox_wait;  // µs, intended send to first publish: the wait for a place in the window
  std::vector<std::string> lost_examples;

  // Throughput over the run's window: acked messages per second up to the last ack,
  // distinct deliveries per second up to the last delivery.
  double acked_per_s() const;
  double deliveries_per_s() const;
  double wall_s() const;
};

}  // namespace chat::loadgen
