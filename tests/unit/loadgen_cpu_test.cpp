// chat-loadgen's core, no broker, no network. CPU accounting: /proc parsing, TCP counters, this process and its
// children.
#include "chat/loadgen/cpu.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace chat::loadgen {
namespace {

TEST(LoadgenCpu, ParsesProcStatWithAnAwkwardCommandName) {
  const std::string stat =
      "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 3 0 12345 100000 200 "
      "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
  EXPECT_EQ(parse_proc_stat_ticks(stat), std::optional<std::uint64_t>(325));
  const auto fields = parse_proc_stat(stat);
  ASSERT_TRUE(fields.has_value());
  EXPECT_EQ(fields->ppid, 1);
  EXPECT_EQ(fields->utime, 250U);
  EXPECT_EQ(fields->stime, 75U);
  EXPECT_EQ(fields->cutime, 0U);
  EXPECT_EQ(fields->cstime, 0U);
  EXPECT_FALSE(parse_proc_stat_ticks("4242 (x) S 1 2").has_value());
  EXPECT_FALSE(parse_proc_stat_ticks("no parenthesis").has_value());
  EXPECT_FALSE(parse_proc_stat_ticks("1 (x) S 1 1 1 0 -1 0 0 0 0 0 ab 7 0").has_value());
}

TEST(LoadgenCpu, ReadsTcpExtCounters) {
  const std::string netstat =
      "TcpExt: SyncookiesSent SyncookiesRecv ListenOverflows ListenDrops\n"
      "TcpExt: 0 1 205 206\n"
      "IpExt: InNoRoutes ListenOverflows\n"
      "IpExt: 9 9\n";
  EXPECT_EQ(parse_tcp_ext_counter(netstat, "ListenOverflows"), std::optional<std::uint64_t>(205));
  EXPECT_EQ(parse_tcp_ext_counter(netstat, "ListenDrops"), std::optional<std::uint64_t>(206));
  EXPECT_EQ(parse_tcp_ext_counter(netstat, "SyncookiesSent"), std::optional<std::uint64_t>(0));
  EXPECT_FALSE(parse_tcp_ext_counter(netstat, "InNoRoutes").has_value());  // not a TcpExt counter
  EXPECT_FALSE(parse_tcp_ext_counter(netstat, "Nope").has_value());
  EXPECT_FALSE(parse_tcp_ext_counter("TcpExt: A B\nTcpExt: 1\n", "B").has_value());
  EXPECT_FALSE(parse_tcp_ext_counter("TcpExt: A\n", "A").has_value());
  EXPECT_FALSE(parse_tcp_ext_counter("", "A").has_value());
  EXPECT_TRUE(read_tcp_ext_counter("ListenOverflows").has_value());  // Linux has it
}

TEST(LoadgenCpu, MeasuresThisProcess) {
  const double before = self_cpu_seconds();
  volatile std::uint64_t sink = 0;
  for (std::uint64_t i = 0; i < 20'000'000; ++i) sink = sink + i;
  EXPECT_GE(self_cpu_seconds(), before);
  EXPECT_TRUE(process_cpu_seconds(getpid()).has_value());
  EXPECT_FALSE(process_cpu_seconds(-1).has_value());
  EXPECT_GE(process_tree_cpu_seconds(getpid()).value_or(-1), process_cpu_seconds(getpid()).value_or(0));
  EXPECT_FALSE(process_tree_cpu_seconds(-1).has_value());
}

// A child's CPU counts for its parent's tree while it lives and after it was waited for.
TEST(LoadgenCpu, TreeCountsChildrenLivingAndReaped) {
  const double before = process_tree_cpu_seconds(getpid()).value_or(-1);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const double t0 = self_cpu_seconds();
    volatile std::uint64_t sink = 0;
    while (self_cpu_seconds() - t0 < 0.3) sink = sink + 1;  // 0.3 s of CPU, then exit
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_GE(process_tree_cpu_seconds(getpid()).value_or(0) - before, 0.25) << "the reaped child's CPU";
}

}  // namespace
}  // namespace chat::loadgen
