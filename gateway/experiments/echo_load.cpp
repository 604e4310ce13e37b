// The load of the library comparison (README.md here): --connections
// WebSockets to an echo server, each keeping --window binary messages of
// --bytes in flight (closed loop), for --duration seconds; prints messages
// echoed per second, round-trip p50/p99, and the server's CPU per message
// (utime + stime of --server-pid from /proc).
//
//   chat-echo-load --port P --server-pid PID [--connections 4] [--window 8] [--bytes 200] [--duration 5]
#include "../bench/links.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using chat::gateway_bench::Endpoint;
using chat::gateway_bench::make_link;

double cpu_seconds_of(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 1; fields >> field && i <= 13; ++i) {
    if (i == 12 || i == 13) ticks += std::stod(field);  // utime, stime (after "pid (comm)")
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Shared {
  bool measuring = false, stopping = false;
  std::uint64_t echoed = 0;
  std::vector<double> rtt_us;
};

asio::awaitable<void> connection(Endpoint endpoint, int window, std::size_t bytes, Shared& shared) {
  auto link = make_link(co_await asio::this_coro::executor, "ws");
  co_await link->open(endpoint);
  std::deque<Clock::time_point> sent;
  const std::string message(bytes, 'm');
  for (int i = 0; i < window; ++i) {
    sent.push_back(Clock::now());
    co_await link->write(message);
  }
  std::string in;
  while (!shared.stopping) {
    in.clear();
    co_await link->read(in);  // one echoed message
    const auto rtt = Clock::now() - sent.front();
    sent.pop_front();
    if (shared.measuring) {
      ++shared.echoed;
      shared.rtt_us.push_back(static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(rtt).count()));
    }
    sent.push_back(Clock::now());
    co_await link->write(message);
  }
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  auto flag = [&](const char* key, const char* fallback) {
    return flags.count(key) ? flags[key] : std::string(fallback);
  };
  Endpoint endpoint{"ws", "127.0.0.1", static_cast<unsigned short>(std::stoi(flag("--port", "0"))), "/"};
  const int server_pid = std::stoi(flag("--server-pid", "0"));
  const int connections = std::stoi(flag("--connections", "4"));
  const int window = std::stoi(flag("--window", "8"));
  const auto bytes = static_cast<std::size_t>(std::stoul(flag("--bytes", "200")));
  const double duration = std::stod(flag("--duration", "5"));
  if (endpoint.port == 0 || server_pid == 0) {
    std::fprintf(
        stderr,
        "usage: chat-echo-load --port P --server-pid PID [--connections N] [--window W] [--bytes B] [--duration S]\n");
    return 2;
  }
  asio::io_context io(1);
  Shared shared;
  for (int c = 0; c < connections; ++c) {
    asio::co_spawn(io, connection(endpoint, window, bytes, shared), [&](std::exception_ptr error) {
      if (error && !shared.stopping) {
        std::fprintf(stderr, "chat-echo-load: a connection failed\n");
        io.stop();
      }
    });
  }
  double cpu_before = 0;
  asio::steady_timer timer(io);
  timer.expires_after(std::chrono::seconds(1));  // warm-up
  timer.async_wait([&](const boost::system::error_code&) {
    shared.measuring = true;
    cpu_before = cpu_seconds_of(server_pid);
    timer.expires_after(std::chrono::milliseconds(static_cast<int>(duration * 1000)));
    timer.async_wait([&](const boost::system::error_code&) {
      shared.measuring = false;
      shared.stopping = true;
      io.stop();
    });
  });
  io.run();
  const double cpu = cpu_seconds_of(server_pid) - cpu_before;
  std::printf("{\"msgs_per_s\":%.0f,\"server_cpu_us_per_msg\":%.2f,\"rtt_p50_us\":%.0f,\"rtt_p99_us\":%.0f}\n",
              static_cast<double>(shared.echoed) / duration,
              cpu * 1e6 / static_cast<double>(std::max<std::uint64_t>(shared.echoed, 1)), percentile(shared.rtt_us, 50),
              percentile(shared.rtt_us, 99));
  return 0;
}
