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
#include <map>
#include <mutex>
#include <thread>
#include <vector>

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
  // Sends one job: empty on success, the failure otherwise.
  std::string send(const storage::PendingNotification& n, const std::vector<storage::PushDevice>& devices);
  // The Matrix format: one POST per content format among the devices; the
  // pushkeys the gateway rejected are unregistered, whatever else failed.
  std::string send_matrix(const storage::PendingNotification& n, const std::vector<storage::PushDevice>& devices);
  // One POST: empty on a 2xx (its body in `answer` when given), the failure otherwise.
  std::string post(const std::string& id, const std::string& body, std::string* answer);
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
