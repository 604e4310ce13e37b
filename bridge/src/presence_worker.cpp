#include "presence_worker.hpp"

#include "chat/bridge/payloads.hpp"

namespace chat::bridge {
namespace {

// Distinct devices whose state waits to be stored. A device counts once
// however often it flaps; this bounds what one account naming endless device
// ids can make the bridge hold.
constexpr std::size_t kPendingDevices = 100'000;
// Device states per transaction.
constexpr std::size_t kStatesPerTransaction = 500;

}  // namespace

PresenceWorker::PresenceWorker(const Config& config, Publisher& publisher, Health& health, BridgeMetrics& metrics,
                               Logger& log, const std::atomic<bool>& give_up)
    : publisher_(publisher),
      metrics_(metrics),
      log_(log),
      states_(kPendingDevices),
      uptimes_(16),
      db_(config.database_url,
          BackoffPolicy{std::chrono::milliseconds(config.db_backoff_first_ms),
                        std::chrono::milliseconds(config.db_backoff_max_ms)},
          give_up, health, metrics, log, "presence") {}

PresenceWorker::~PresenceWorker() {
  finish();
  join();
}

void PresenceWorker::start() {
  thread_ = std::thread([this] { run(); });
}
void PresenceWorker::finish() {
  states_.close();
  uptimes_.close();
}
void PresenceWorker::join() {
  if (thread_.joinable()) thread_.join();
}

void PresenceWorker::device_state(storage::DeviceState state) {
  metrics_.presence_events.inc();
  if (!states_.put(std::move(state))) metrics_.presence_dropped.inc();
}

void PresenceWorker::broker_uptime(BrokerUptime uptime) {
  uptimes_.offer(uptime, std::chrono::milliseconds(0));  // the next one comes in 10 s
}

void PresenceWorker::run() {
  for (;;) {
    // The sweep first: it comes after a broker restart, when the states that
    // follow are the devices reconnecting.
    for (const BrokerUptime& uptime : uptimes_.pop_batch(4, std::chrono::milliseconds(0))) {
      try {
        clear_stale(uptime);
      } catch (const Abandoned&) {
        return;
      } catch (const std::exception& error) {
        db_.reset();
        log_.error("stale device states not cleared", {{"error", error.what()}});
      }
    }
    const auto states = states_.take(kStatesPerTransaction, std::chrono::milliseconds(200));
    if (states.empty()) {
      if (states_.closed() && states_.size() == 0) return;
      continue;
    }
    try {
      apply(states);
    } catch (const Abandoned&) {
      return;
    } catch (const std::exception& error) {
      db_.reset();
      log_.error("device states not applied",
                 {{"devices", static_cast<std::uint64_t>(states.size())}, {"error", error.what()}});
    }
  }
}

void PresenceWorker::clear_stale(const BrokerUptime& uptime) {
  // After each connect of the publisher (a broker that restarted dropped
  // it): once with the retained uptime at once, once with the next live one.
  const std::int64_t cutoff = stale_cutoff_ms(uptime.at_ms, uptime.uptime_s, uptime.retained);
  const auto cleared = db_.run([&](storage::Store& s) { return s.delivery().clear_stale_devices(cutoff); });
  log_.info("cleared device states older than the broker's start",
            {{"before_ms", cutoff},
             {"retained_uptime", uptime.retained},
             {"users_offline", static_cast<std::uint64_t>(cleared.size())}});
  for (const auto& change : cleared) {
    metrics_.stale_devices_cleared.inc();
    publish(change.user_id, false, change.last_seen_ms);
  }
}

void PresenceWorker::apply(const std::vector<storage::DeviceState>& states) {
  const auto changes = db_.run([&](storage::Store& s) { return s.delivery().set_device_states(states); });
  for (std::size_t i = 0; i < states.size(); ++i) {
    const auto& change = changes[i];
    if (!change) {
      log_.debug("device state of an unknown user ignored", {{"uid", states[i].user_id}});
      continue;
    }
    // On a change of the user's state; and when a device goes offline while
    // the user stays offline, last_seen moved.
    if (change->changed() || (!states[i].online && !change->online)) {
      publish(states[i].user_id, change->online, change->last_seen_ms);
    }
  }
}

void PresenceWorker::publish(std::int64_t uid, bool online, std::optional<std::int64_t> last_seen_ms) {
  publisher_.publish(presence_topic(uid), presence_payload(online, last_seen_ms), true);
  metrics_.presence_published.inc();
}

}  // namespace chat::bridge
