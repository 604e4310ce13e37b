#pragma once
// The report of a messaging run (plain, platform, fanout): its parameters, the
// overall and per-window figures, and the CPU of the loadgen, the broker and
// any --watch-pid processes per message, with a plain statement of what limited
// the run.
#include "chat/loadgen/options.hpp"
#include "chat/loadgen/report.hpp"
#include "chat/loadgen/results.hpp"
#include "chat/loadgen/shape.hpp"
#include "chat/loadgen/windows.hpp"

#include <optional>
#include <string>
#include <vector>

namespace chat::loadgen {

// CPU seconds of the broker (--broker-pid) and of each --watch-pid group between
// construction and stop().
class ProcessCpu {
 public:
  explicit ProcessCpu(const Options& options);
  void stop();

  struct Used {
    std::string name;               // "broker" or the --watch-pid name
    std::string pids;               // for the label
    std::optional<double> seconds;  // nullopt: a process could not be read
  };
  const std::vector<Used>& used() const { return used_; }

 private:
  struct Watched {
    std::string name;
    std::vector<pid_t> pids;
    std::optional<double> start;
  };
  static std::optional<double> sum(const std::vector<pid_t>& pids);
  std::vector<Watched> watched_;
  std::vector<Used> used_;
};

void describe_run(const Options& options, const Traffic& traffic, Report& report);
int fill_report(const Options& options, const RunTotals& totals, const WindowedStats& windows, const ProcessCpu& cpu,
                Report& report);

}  // namespace chat::loadgen
