// run_messaging: plain and platform messaging (and fanout --plain), one run
// from connecting to the report (the run itself: messaging_run.hpp).
#include "chat/loadgen/cpu.hpp"
#include "messaging_run.hpp"

#include <ctime>
#include <iostream>

namespace chat::loadgen {

std::uint64_t now_us() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000ULL + static_cast<std::uint64_t>(ts.tv_nsec) / 1000ULL;
}

int run_messaging(const Options& options, Report& report, const PlatformSetup* platform) {
  const Traffic traffic = traffic_of(options);
  MessagingRun run(options, traffic, platform);
  report.param("run", run.run_tag());
  describe_run(options, traffic, report);
  if (!run.connect()) {
    std::cerr << "chat-loadgen: " << run.failure() << "\n";
    return kExitFailed;
  }
  ProcessCpu cpu(options);
  RunTotals totals;
  WindowedStats windows(0, 1);
  const bool ok = run.measure(totals, windows);
  cpu.stop();
  if (!ok) {
    std::cerr << "chat-loadgen: " << run.failure() << "\n";
    return kExitFailed;
  }
  return fill_report(options, totals, windows, cpu, report);
}

}  // namespace chat::loadgen
