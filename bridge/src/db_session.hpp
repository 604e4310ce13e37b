#pragma once
// A Store that connects lazily and runs operations with retry: database
// errors that a later attempt may cure (connection lost, server restarting,
// serialization conflicts) are retried with capped exponential backoff until
// they succeed or the bridge gives up at shutdown. Other errors are thrown.
#include "chat/bridge/backoff.hpp"
#include "chat/storage/store.hpp"
#include "bridge_metrics.hpp"
#include "clock.hpp"
#include "health.hpp"
#include "observability.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace chat::bridge {

// Thrown out of DbSession::run when the bridge stops while retrying.
struct Abandoned : std::runtime_error {
  Abandoned() : std::runtime_error("abandoned: the bridge is stopping") {}
};

class DbSession {
 public:
  DbSession(std::string conninfo, BackoffPolicy policy, const std::atomic<bool>& give_up, Health& health,
            BridgeMetrics& metrics, Logger& log, std::string name)
      : conninfo_(std::move(conninfo)),
        backoff_(policy),
        give_up_(give_up),
        health_(health),
        metrics_(metrics),
        log_(log),
        name_(std::move(name)) {}

  template <class F>
  auto run(F&& operation) -> decltype(operation(std::declval<storage::Store&>())) {
    // One Backoff per session, reset per operation: seeding a generator from
    // random_device for every transaction was ~1 % of the writer's CPU.
    Backoff& backoff = backoff_;
    backoff.reset();
    for (;;) {
      try {
        if (!store_) store_ = std::make_unique<storage::Store>(conninfo_);
        auto result = operation(*store_);
        if (backoff.attempts() > 0) log_.info("database reachable again", {{"part", name_}});
        health_.db_ok = true;
        return result;
      } catch (const storage::DbError& error) {
        if (!retryable(error)) throw;
        metrics_.db_errors.inc();
        health_.db_ok = false;
        const auto pause = backoff.next();
        if (backoff.attempts() == 1 || backoff.attempts() % 10 == 0) {
          log_.warn("database unavailable, retrying", {{"part", name_},
                                                       {"error", error.what()},
                                                       {"attempt", backoff.attempts()},
                                                       {"pause_ms", static_cast<std::int64_t>(pause.count())}});
        }
        sleep(pause);
      }
    }
  }

  // Drops the connection (after an error that leaves it in doubt).
  void reset() { store_.reset(); }

  static bool retryable(const storage::DbError& error) {
    return error.retryable() || error.code() == storage::DbErrc::commit_in_doubt;
  }

 private:
  void sleep(std::chrono::milliseconds pause) {
    const auto until = SteadyClock::now() + pause;
    while (SteadyClock::now() < until) {
      if (give_up_) throw Abandoned();
      std::this_thread::sleep_for(
          std::min<SteadyClock::duration>(until - SteadyClock::now(), std::chrono::milliseconds(50)));
    }
    if (give_up_) throw Abandoned();
  }

  std::string conninfo_;
  Backoff backoff_;
  const std::atomic<bool>& give_up_;
  Health& health_;
  BridgeMetrics& metrics_;
  Logger& log_;
  std::string name_;
  std::unique_ptr<storage::Store> store_;
};

}  // namespace chat::bridge
