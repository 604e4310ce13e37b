#include "chat/loadgen/verdict.hpp"

#include <cmath>
#include <cstdio>

namespace chat::loadgen {
namespace {

std::string pct(double v) { return std::to_string(static_cast<int>(std::lround(v))) + "%"; }

}  // namespace

Verdict limit_verdict(std::optional<double> broker_pct, double loadgen_pct, std::optional<double> load_average,
                      int cores) {
  if (!broker_pct) return {false, "broker-bound unknown (no --broker-pid)"};
  if (*broker_pct >= kBrokerBoundPct) return {true, "broker-bound: the broker used " + pct(*broker_pct) + " of a core"};
  std::string text = "NOT broker-bound: the broker used only " + pct(*broker_pct) + " of a core; ";
  if (loadgen_pct >= kLoadgenBoundPct) {
    text += "the loadgen (" + pct(loadgen_pct) + " of its one core) was the limit";
  } else if (load_average && cores > 0 && *load_average > cores) {
    char load[32];
    std::snprintf(load, sizeof load, "%.1f", *load_average);
    text += "other processes took the CPU (load average " + std::string(load) + " on " + std::to_string(cores) +
            " cores; the loadgen used " + pct(loadgen_pct) + ")";
  } else {
    text += "neither it nor the loadgen (" + pct(loadgen_pct) + ") was busy: the windows (--inflight) were the limit";
  }
  return {false, text};
}

}  // namespace chat::loadgen
