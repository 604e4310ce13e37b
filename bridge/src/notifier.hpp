#pragma once
// The notification worker: claims due jobs from the outbox (shared with other
// bridges through SKIP LOCKED), POSTs each to the webhook, deletes it on 2xx,
// otherwise reschedules it with backoff. At least once: a job leaves the
// outbox only after the webhook accepted it.
#include "chat/bridge/config.hpp"
#include "chat/bridge/notification.hpp"
#include "db_session.hpp"
#include "bridge_metrics.hpp"
#include "clock.hpp"
#include "health.hpp"
#include "observability.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace chat::bridge {

class Notifier {
 public:
  Notifier(const Config& config, Health& health, BridgeMetrics& metrics, Logger& log, const std::atomic<bool>& give_up);
  ~Notifier();

  void start();
  void stop();  // after the job in hand

 private:
  void run();
  bool round();  // true when it found work
  // Empty on success, the failure otherwise.
  std::string post(const storage::PendingNotification& n);
  void pause(std::chrono::milliseconds duration);

  const Config& config_;
  BridgeMetrics& metrics_;
  Logger& log_;
  WebhookTarget target_;
  DbSession db_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  SteadyClock::time_point next_backlog_sample_{};
  std::thread thread_;
};

}  // namespace chat::bridge
