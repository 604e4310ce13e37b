#include "chat/loadgen/cpu.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

namespace chat::loadgen {

double self_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::optional<ProcStat> parse_proc_stat(std::string_view stat) {
  // Fields after the command: state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17).
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = stat.substr(close + 1);
  ProcStat out;
  int field = 2;  // the command was field 2
  while (!rest.empty()) {
    const auto start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    rest = rest.substr(start);
    const auto end = rest.find(' ');
    const auto token = rest.substr(0, end);
    ++field;
    if (field == 4 || (field >= 14 && field <= 17)) {
      std::int64_t v = 0;
      const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
      if (ec != std::errc{} || ptr != token.data() + token.size() || v < 0) return std::nullopt;
      const auto u = static_cast<std::uint64_t>(v);
      switch (field) {
        case 4:
          out.ppid = static_cast<pid_t>(v);
          break;
        case 14:
          out.utime = u;
          break;
        case 15:
          out.stime = u;
          break;
        case 16:
          out.cutime = u;
          break;
        default:
          out.cstime = u;
          return out;
      }
    }
    if (end == std::string_view::npos) break;
    rest = rest.substr(end);
  }
  return std::nullopt;
}

std::optional<std::uint64_t> parse_proc_stat_ticks(std::string_view stat) {
  const auto s = parse_proc_stat(stat);
  if (!s) return std::nullopt;
  return s->utime + s->stime;
}

std::optional<std::uint64_t> parse_tcp_ext_counter(std::string_view netstat, std::string_view name) {
  const auto line_at = [&netstat](std::size_t pos) {
    const auto end = netstat.find('\n', pos);
    return netstat.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
  };
  for (std::size_t pos = 0; pos < netstat.size();) {
    const auto names = line_at(pos);
    const auto next = pos + names.size() + 1;
    if (!names.starts_with("TcpExt:") || next >= netstat.size()) {
      pos = next;
      continue;
    }
    const auto values = line_at(next);
    if (!values.starts_with("TcpExt:")) return std::nullopt;
    // Walk both lines field by field.
    std::size_t a = 7;
    std::size_t b = 7;
    for (;;) {
      a = names.find_first_not_of(' ', a);
      b = values.find_first_not_of(' ', b);
      if (a == std::string_view::npos || b == std::string_view::npos) return std::nullopt;
      const auto a_end = std::min(names.find(' ', a), names.size());
      const auto b_end = std::min(values.find(' ', b), values.size());
      if (names.substr(a, a_end - a) == name) {
        std::uint64_t v = 0;
        const auto text = values.substr(b, b_end - b);
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
        return v;
      }
      a = a_end;
      b = b_end;
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> read_tcp_ext_counter(std::string_view name) {
  const int fd = open("/proc/net/netstat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  std::array<char, 8192> buf{};
  for (;;) {
    const ssize_t n = read(fd, buf.data(), buf.size());
    if (n <= 0) break;
    text.append(buf.data(), static_cast<std::size_t>(n));
  }
  close(fd);
  return parse_tcp_ext_counter(text, name);
}

namespace {

std::optional<ProcStat> read_proc_stat(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::array<char, 4096> buf{};
  const ssize_t n = read(fd, buf.data(), buf.size());
  close(fd);
  if (n <= 0) return std::nullopt;
  return parse_proc_stat(std::string_view(buf.data(), static_cast<std::size_t>(n)));
}

double ticks_to_seconds(std::uint64_t ticks) {
  const long hz = sysconf(_SC_CLK_TCK);
  return hz > 0 ? static_cast<double>(ticks) / static_cast<double>(hz) : 0;
}

}  // namespace

std::optional<double> process_cpu_seconds(pid_t pid) {
  const auto s = read_proc_stat("/proc/" + std::to_string(pid) + "/stat");
  if (!s) return std::nullopt;
  return ticks_to_seconds(s->utime + s->stime);
}

std::optional<double> process_tree_cpu_seconds(pid_t pid) {
  const auto self = read_proc_stat("/proc/" + std::to_string(pid) + "/stat");
  if (!self) return std::nullopt;
  std::uint64_t ticks = self->utime + self->stime + self->cutime + self->cstime;
  // The living children: every process whose parent is pid (a child may exit meanwhile: skipped).
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return std::nullopt;
  while (const dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    const auto child = read_proc_stat(std::string("/proc/") + entry->d_name + "/stat");
    if (child && child->ppid == pid) ticks += child->utime + child->stime;
  }
  closedir(proc);
  return ticks_to_seconds(ticks);
}

}  // namespace chat::loadgen
