#pragma once
// What limited a plain closed-loop run, in words for the report: the point of a
// plain run is to be broker-bound (the broker, single-threaded, near a full
// core), and when it was not, the report must say so and why, or its ratio
// flatters whatever is compared with it.
#include <optional>
#include <string>

namespace chat::loadgen {

// A broker at or above this share of a core is the limit of a plain run.
inline constexpr double kBrokerBoundPct = 85;
// The loadgen drives every client from one thread: near a full core it is the limit.
inline constexpr double kLoadgenBoundPct = 85;

struct Verdict {
  bool broker_bound = false;
  std::string text;
};

// broker_pct: the broker's CPU in % of a core (nullopt: not measured); loadgen_pct: the
// loadgen's; load_average: the machine's 1-minute load average over `cores` cores (nullopt:
// unknown), which tells whether other processes took the CPU.
Verdict limit_verdict(std::optional<double> broker_pct, double loadgen_pct, std::optional<double> load_average,
                      int cores);

}  // namespace chat::loadgen
