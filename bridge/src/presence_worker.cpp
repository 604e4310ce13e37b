#include "presence_worker.hpp"

#include "chat/bridge/payloads.hpp"


namespace chat::bridge {

PresenceWorker::PresenceWorker(const Config& config, Publisher& publisher, Health& health, BridgeMetrics& metrics,
                               Logger& log, const std::atomic<bool>& give_up)
    : publisher_(publisher),
      metrics_(metrics),
      log_(log),
      queue_(10000),
      db_(config.database_url,
          BackoffPolicy{std::chrono::milliseconds(config.db_backoff_first_ms),
                        std::chrono::milliseconds(config.db_backoff_max_ms)},
          give_up, health, metrics, log, "presence") {}

PresenceWorker::~PresenceWorker() {
  finish();
  join();
}

void PresenceWorker::start() { thread_ = std::thread([this] { run(); }); }
void PresenceWorker::finish() { queue_.close(); }
void PresenceWorker::join() {
  if (thread_.joinable()) thread_.join();
}

void PresenceWorker::run() {
  for (;;) {
    auto batch = queue_.pop_batch(100, std::chrono::milliseconds(200));
    if (batch.empty()) {
      if (queue_.closed() && queue_.size() == 0) return;
      continue;
    }
    for (const PresenceEvent& event : batch) {
      try {
        handle(event);
      } catch (const Abandoned&) {
        return;
      } catch (const std::exception& error) {
        db_.reset();
        log_.error("presence event not applied", {{"uid", event.uid}, {"error", error.what()}});
      }
    }
  }
}

void PresenceWorker::handle(const PresenceEvent& event) {
  if (event.kind == PresenceEvent::Kind::broker_uptime) {
    // After each connect of the publisher (a broker that restarted dropped
    // it): once with the retained uptime at once, once with the next live one.
    const std::int64_t cutoff = stale_cutoff_ms(event.at_ms, event.uptime_s, event.retained);
    const auto cleared = db_.run([&](storage::Store& s) { return s.clear_stale_devices(cutoff); });
    log_.info("cleared device states older than the broker's start",
              {{"before_ms", cutoff}, {"retained_uptime", event.retained},
               {"users_offline", static_cast<std::uint64_t>(cleared.size())}});
    for (const auto& change : cleared) {
      metrics_.stale_devices_cleared.inc();
      publish(change.user_id, false, change.last_seen_ms);
    }
    return;
  }
  metrics_.presence_events.inc();
  const auto change = db_.run([&](storage::Store& s) { return s.set_device_state(event.uid, event.device, event.online); });
  if (!change) {
    log_.debug("device state of an unknown user ignored", {{"uid", event.uid}});
    return;
  }
  // On a change of the user's state; and when a device goes offline while the
  // user stays offline, last_seen moved.
  if (change->changed() || (!event.online && !change->online)) {
    publish(event.uid, change->online, change->last_seen_ms);
  }
}

void PresenceWorker::publish(std::int64_t uid, bool online, std::optional<std::int64_t> last_seen_ms) {
  publisher_.publish(presence_topic(uid), presence_payload(online, last_seen_ms), true);
  metrics_.presence_published.inc();
}

}  // namespace chat::bridge
