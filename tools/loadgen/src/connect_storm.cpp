// connect-storm --plain: K clients (--users x --devices) connect at once,
// anonymously, with at most --connect-window handshakes outstanding; figures:
// connects/s and CONNECT -> CONNACK latency. The platform variant (tokens
// checked by the auth plugin) runs the same loop with credentials: a token per
// user under --token-secret-file (scenarios.hpp, token_sign_in).
#include "chat/loadgen/cpu.hpp"
#include "chat/loadgen/histogram.hpp"
#include "chat/loadgen/population.hpp"
#include "mqtt_client.hpp"
#include "scenarios.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unistd.h>

namespace chat::loadgen {
namespace {

class StormRun final : public Listener {
 public:
  StormRun(const Options& o, const Population& pop, const PlatformSetup* sign_in)
      : o_(o), pop_(pop), sign_in_(sign_in), started_at_(pop.clients(), 0) {}
  ~StormRun() override { clients_.clear(); }

  void connect_done(std::uint32_t c, bool ok, std::string_view why) override {
    const auto now = now_us();
    std::lock_guard lock(mu_);
    if (ok) {
      latency_.record(now - started_at_[c]);
      ++ok_;
    } else {
      ++failed_;
      if (first_error_.empty()) first_error_ = std::string(why);
    }
    last_us_ = now;
  }

  int run(Report& report) {
    const std::uint32_t total = pop_.clients();
    for (std::uint32_t c = 0; c < total; ++c) {
      clients_.push_back(std::make_unique<MqttClient>(*this, c, o_.uri, pop_.client_id(c), o_.mqtt_version, 16));
    }
    report.param("uri", o_.uri);
    report.param("clients", total);
    report.param("connect_window", o_.connect_window);
    report.param("mqtt_version", o_.mqtt_version);

    ConnectSettings settings;
    settings.auto_reconnect = false;
    const auto broker_cpu0 = o_.broker_pid > 0 ? process_cpu_seconds(o_.broker_pid) : std::nullopt;
    const double cpu0 = self_cpu_seconds();
    const auto overflows0 = read_tcp_ext_counter("ListenOverflows");
    const auto t0 = now_us();
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                               std::chrono::duration<double>(o_.connect_timeout_s));
    std::uint32_t started = 0;
    for (;;) {
      std::uint64_t done = 0;
      {
        std::lock_guard lock(mu_);
        done = ok_ + failed_;
      }
      if (done >= total) break;
      while (started < total && started - done < o_.connect_window) {
        {
          std::lock_guard lock(mu_);
          started_at_[started] = now_us();
        }
        if (sign_in_ != nullptr) {
          const auto it = sign_in_->credentials.find(pop_.uid(pop_.user_of(started)));
          if (it != sign_in_->credentials.end()) {
            settings.username = it->second.first;
            settings.password = it->second.second;
          }
        }
        const int rc = clients_[started]->connect(settings);
        if (rc != kMqttOk) {
          std::lock_guard lock(mu_);
          ++failed_;
          if (first_error_.empty()) first_error_ = MqttClient::error_text(rc);
        }
        ++started;
      }
      if (std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // outcomes come from the event loop
    }
    const auto t_end = now_us();
    const double cpu1 = self_cpu_seconds();
    const auto overflows1 = read_tcp_ext_counter("ListenOverflows");
    const auto broker_cpu1 = o_.broker_pid > 0 ? process_cpu_seconds(o_.broker_pid) : std::nullopt;

    for (auto& c : clients_) {
      if (c->connected()) (void)c->disconnect(1000);
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < until &&
           std::any_of(clients_.begin(), clients_.end(), [](const auto& c) { return c->connected(); })) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }

    std::lock_guard lock(mu_);
    const double span = last_us_ > t0 ? static_cast<double>(last_us_ - t0) / 1e6 : 0;
    const double wall = static_cast<double>(t_end - t0) / 1e6;
    report.figure("connected", static_cast<double>(ok_), "", "clients connected");
    report.figure("connect_failed",
                  static_cast<double>(failed_ + (total - std::min<std::uint64_t>(total, ok_ + failed_))), "",
                  "clients not connected");
    report.figure("connects_per_s", span > 0 ? static_cast<double>(ok_) / span : 0, "conn/s", "connects/s");
    report.latency("connack", latency_, "latency CONNECT -> CONNACK");
    report.figure("loadgen_cpu_pct", wall > 0 ? 100.0 * (cpu1 - cpu0) / wall : 0, "% of a core", "loadgen CPU");
    if (broker_cpu0 && broker_cpu1) {
      report.figure("broker_cpu_pct", wall > 0 ? 100.0 * (*broker_cpu1 - *broker_cpu0) / wall : 0, "% of a core",
                    "broker CPU (pid " + std::to_string(o_.broker_pid) + ")");
    }
    if (overflows0 && overflows1) {
      report.figure("listen_overflows", static_cast<double>(*overflows1 - *overflows0), "",
                    "listen queue overflows (machine-wide; each costs a 1 s SYN retry)");
    }
    report.figure("nproc", static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN)), "", "cores on this machine");
    report.note(
        sign_in_ != nullptr
            ? "every client signs in with its own token (HS256), checked by the broker's auth plugin"
            : "plain broker: anonymous clients, no token check (the denominator of the platform's connect-storm)");
    if (overflows0 && overflows1 && *overflows1 > *overflows0) {
      report.note(
          "the broker's accept queue overflowed: those clients retried their SYN after 1 s "
          "(lower --connect-window; mosquitto listens with a backlog of about 100)");
    }
    if (!first_error_.empty()) report.note("first connect error: " + first_error_);
    return ok_ == total ? kExitOk : kExitFailed;
  }

 private:
  const Options& o_;
  const Population& pop_;
  const PlatformSetup* sign_in_;
  std::vector<std::unique_ptr<MqttClient>> clients_;
  std::mutex mu_;
  std::vector<std::uint64_t> started_at_;
  Histogram latency_;
  std::uint64_t ok_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t last_us_ = 0;
  std::string first_error_;
};

}  // namespace

int run_connect_storm(const Options& options, Report& report) {
  const Population pop(
      PopulationShape{.users = options.users, .devices = options.devices, .uid_base = options.uid_base});
  std::optional<PlatformSetup> sign_in;
  if (!options.plain_baseline) sign_in = token_sign_in(options);
  StormRun run(options, pop, sign_in ? &*sign_in : nullptr);
  return run.run(report);
}

}  // namespace chat::loadgen
