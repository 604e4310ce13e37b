// chat-gateway-bench: one side of scripts/bench-gateway. The same MQTT
// clients over plain TCP (--transport tcp, to the broker) or over WebSocket
// (--transport ws, through chat-gateway): --pairs sender/recipient pairs of
// signed-in users; each sender keeps --window QoS 1 direct messages unacked
// (closed loop: each PUBACK sends the next), each recipient acks what it gets
// and measures sender->recipient latency from the send time in the message.
// After --warmup seconds it counts for --duration seconds and prints one JSON
// line: messages received per second, latency percentiles, its own CPU.
//
// usage: chat-gateway-bench --transport tcp|ws --port P [--host 127.0.0.1] [--path /mqtt]
//                           --users FILE [--pairs 4] [--window 20] [--warmup 2] [--duration 10]
//                           [--text-bytes 100]
// FILE: one user a line, "uid username token", at least 2 x pairs lines.
#include "links.hpp"
#include "mqtt_bytes.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace chat::gateway_bench {
namespace {

namespace mb = chat::mqtt_bytes;
using Clock = std::chrono::steady_clock;

struct User {
  std::string uid, name, token;
};

struct Options {
  Endpoint endpoint;
  std::string users_file;
  int pairs = 4;
  int window = 20;
  double warmup_s = 2;
  double duration_s = 10;
  std::size_t text_bytes = 100;
};

struct Run {
  bool sending = false;  // senders go on while true
  Clock::time_point measure_from, measure_to;
  std::uint64_t received_in_window = 0;
  std::vector<double> latencies_ms;  // of messages received in the window
  int ready = 0;                     // recipients subscribed
  std::uint64_t errors = 0;
  std::string run_id;
};

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

asio::awaitable<void> sign_in(Link& link, const Options& options, const User& user, const std::string& device) {
  co_await link.open(options.endpoint);
  co_await link.write(mb::connect(user.uid + ":" + device, user.name, user.token, 60));
  mb::PacketReader reader;
  std::string bytes;
  for (;;) {
    if (auto packet = reader.next()) {
      if (packet->type != 2 || packet->code() != 0) throw std::runtime_error("sign-in refused for " + user.name);
      co_return;
    }
    bytes.clear();
    co_await link.read(bytes);
    reader.feed(bytes);
  }
}

asio::awaitable<void> recipient(Options options, User user, Run& run) {
  auto link = make_link(co_await asio::this_coro::executor, options.endpoint.transport);
  co_await sign_in(*link, options, user, "bench-r");
  co_await link->write(mb::subscribe(1, "dm/" + user.uid + "/#"));
  mb::PacketReader reader;
  std::string bytes;
  for (;;) {
    bytes.clear();
    co_await link->read(bytes);
    reader.feed(bytes);
    std::string acks;
    while (auto packet = reader.next()) {
      if (packet->type == 9) ++run.ready;
      if (packet->type != 3) continue;
      const Clock::time_point arrived = Clock::now();
      const std::string payload = packet->publish_payload();
      const auto at = payload.find("\"text\":\"");
      if (at != std::string::npos && arrived >= run.measure_from && arrived < run.measure_to) {
        const std::int64_t sent_ns = std::strtoll(payload.c_str() + at + 8, nullptr, 10);
        run.latencies_ms.push_back(static_cast<double>(now_ns() - sent_ns) / 1e6);
        ++run.received_in_window;
      }
      if (packet->publish_id() != 0) acks += mb::puback(packet->publish_id());
    }
    if (!acks.empty()) co_await link->write(acks);
  }
}

std::string message(const Run& run, std::uint64_t n, std::size_t text_bytes) {
  std::string text = std::to_string(now_ns()) + " ";
  if (text.size() < text_bytes) text.append(text_bytes - text.size(), 'x');
  return "{\"id\":\"" + run.run_id + "-" + std::to_string(n) + "\",\"type\":\"text\",\"text\":\"" + text + "\"}";
}

asio::awaitable<void> sender(Options options, User user, User to, Run& run) {
  auto link = make_link(co_await asio::this_coro::executor, options.endpoint.transport);
  co_await sign_in(*link, options, user, "bench-s");
  const std::string topic = "dm/" + to.uid + "/msg/" + user.uid;
  asio::steady_timer wait(co_await asio::this_coro::executor);
  while (!run.sending) {
    wait.expires_after(std::chrono::milliseconds(5));
    co_await wait.async_wait(asio::use_awaitable);
  }
  std::uint64_t sent = 0;
  std::uint16_t packet_id = 0;
  auto next_id = [&] { return packet_id = static_cast<std::uint16_t>(packet_id % 65535 + 1); };
  std::string burst;
  for (int i = 0; i < options.window; ++i)
    burst += mb::publish(next_id(), topic, message(run, sent++, options.text_bytes));
  co_await link->write(burst);
  mb::PacketReader reader;
  std::string bytes;
  while (run.sending) {
    bytes.clear();
    co_await link->read(bytes);
    reader.feed(bytes);
    std::string more;
    while (auto packet = reader.next()) {
      if (packet->type != 4) continue;
      if (packet->body.size() >= 3 && packet->body[2] != 0) ++run.errors;  // MQTT 5 reason; 3.1.1 has none
      if (run.sending) more += mb::publish(next_id(), topic, message(run, sent++, options.text_bytes));
    }
    if (!more.empty()) co_await link->write(more);
  }
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1));
  return values[index];
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

Options parse(int argc, char** argv) {
  Options options;
  std::map<std::string, std::string> flags;
  for (int i = 1; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  auto take = [&](const char* key, auto& out) {
    const auto it = flags.find(key);
    if (it == flags.end()) return;
    if constexpr (std::is_same_v<std::decay_t<decltype(out)>, std::string>) {
      out = it->second;
    } else {
      out = static_cast<std::decay_t<decltype(out)>>(std::stod(it->second));
    }
    flags.erase(it);
  };
  take("--transport", options.endpoint.transport);
  take("--host", options.endpoint.host);
  take("--port", options.endpoint.port);
  take("--path", options.endpoint.path);
  take("--users", options.users_file);
  take("--pairs", options.pairs);
  take("--window", options.window);
  take("--warmup", options.warmup_s);
  take("--duration", options.duration_s);
  take("--text-bytes", options.text_bytes);
  if (!flags.empty()) throw std::invalid_argument("unknown flag " + flags.begin()->first);
  if (options.endpoint.port == 0 || options.users_file.empty())
    throw std::invalid_argument("--port and --users are required");
  return options;
}

int run_bench(const Options& options) {
  std::vector<User> users;
  std::ifstream in(options.users_file);
  for (User user; in >> user.uid >> user.name >> user.token;) users.push_back(user);
  if (users.size() < 2 * static_cast<std::size_t>(options.pairs)) throw std::invalid_argument("not enough users");

  asio::io_context io(1);
  Run run;
  run.run_id = options.endpoint.transport + std::to_string(now_ns() % 1000000000);
  run.measure_from = run.measure_to = Clock::time_point::max();
  std::string failure;
  auto on_end = [&](const std::exception_ptr& error) {
    if (!error || !failure.empty()) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      failure = e.what();
      io.stop();
    }
  };
  for (int p = 0; p < options.pairs; ++p) {
    const User& from = users[2 * static_cast<std::size_t>(p)];
    const User& to = users[2 * static_cast<std::size_t>(p) + 1];
    asio::co_spawn(io, recipient(options, to, run), on_end);
    asio::co_spawn(io, sender(options, from, to, run), on_end);
  }
  // The schedule: wait for every recipient's SUBACK, send, warm up, measure, stop.
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        const auto give_up = Clock::now() + std::chrono::seconds(30);
        while (run.ready < options.pairs) {
          if (Clock::now() > give_up) throw std::runtime_error("the recipients did not subscribe within 30 s");
          timer.expires_after(std::chrono::milliseconds(10));
          co_await timer.async_wait(asio::use_awaitable);
        }
        run.sending = true;
        run.measure_from = Clock::now() + std::chrono::milliseconds(static_cast<int>(options.warmup_s * 1000));
        run.measure_to = run.measure_from + std::chrono::milliseconds(static_cast<int>(options.duration_s * 1000));
        timer.expires_at(run.measure_to);
        co_await timer.async_wait(asio::use_awaitable);
        run.sending = false;
        io.stop();
      },
      on_end);
  const double cpu_before = cpu_seconds();
  io.run();
  if (!failure.empty()) {
    std::cerr << "chat-gateway-bench: " << failure << "\n";
    return 1;
  }
  const double cpu = cpu_seconds() - cpu_before;
  std::printf(
      "{\"transport\":\"%s\",\"pairs\":%d,\"window\":%d,\"seconds\":%.1f,\"received\":%llu,"
      "\"msgs_per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"errors\":%llu,\"client_cpu_s\":%.3f}\n",
      options.endpoint.transport.c_str(), options.pairs, options.window, options.duration_s,
      static_cast<unsigned long long>(run.received_in_window),
      static_cast<double>(run.received_in_window) / options.duration_s, percentile(run.latencies_ms, 50),
      percentile(run.latencies_ms, 99), percentile(run.latencies_ms, 100), static_cast<unsigned long long>(run.errors),
      cpu);
  return 0;
}

}  // namespace
}  // namespace chat::gateway_bench

int main(int argc, char** argv) {
  try {
    return chat::gateway_bench::run_bench(chat::gateway_bench::parse(argc, argv));
  } catch (const std::exception& error) {
    std::cerr << "chat-gateway-bench: " << error.what() << "\n(see the comment at the top of gateway/bench/main.cpp)\n";
    return 2;
  }
}
