#pragma once
// CPU time of this process and of another one (the broker), so every report
// shows which side of the benchmark was the limit.
#include <cstdint>
#include <optional>
#include <string_view>
#include <sys/types.h>

namespace chat::loadgen {

// User + system CPU seconds of this process (all threads), from getrusage.
double self_cpu_seconds();

// User + system CPU seconds of process `pid` from /proc/<pid>/stat; nullopt when unreadable.
std::optional<double> process_cpu_seconds(pid_t pid);

// The fields of a /proc/<pid>/stat file the loadgen uses, in clock ticks; the command name
// may hold spaces and parentheses. nullopt when malformed.
struct ProcStat {
  pid_t ppid = 0;
  std::uint64_t utime = 0;
  std::uint64_t stime = 0;
  std::uint64_t cutime = 0;  // children that exited and were waited for
  std::uint64_t cstime = 0;
};
std::optional<ProcStat> parse_proc_stat(std::string_view stat);
// utime + stime of the same text.
std::optional<std::uint64_t> parse_proc_stat_ticks(std::string_view stat);

// CPU seconds of process `pid` and of its child processes: its own, the living children's, and
// those of children that exited (cutime + cstime). Differences of two readings are the CPU of the
// whole tree in between, even when children come and go (PostgreSQL's backends: pass the
// postmaster). nullopt when `pid` is unreadable.
std::optional<double> process_tree_cpu_seconds(pid_t pid);

// A counter of the TcpExt section of /proc/net/netstat (two lines: names, then values),
// e.g. "ListenOverflows": connections the kernel refused because a listener's accept
// queue was full (the client retries its SYN after 1 s). nullopt when absent.
std::optional<std::uint64_t> parse_tcp_ext_counter(std::string_view netstat, std::string_view name);
std::optional<std::uint64_t> read_tcp_ext_counter(std::string_view name);

}  // namespace chat::loadgen
