#include "notifier.hpp"

#include "chat/protocol/push.hpp"

#include <httplib.h>

#include <algorithm>

namespace chat::bridge {
namespace {

// The webhook's URL split; a Matrix gateway given by its origin alone gets the API's path.
WebhookTarget webhook_target(const Config& config) {
  WebhookTarget target = split_url(config.webhook_url).value_or(WebhookTarget{});
  if (config.matrix_webhook() && target.path == "/") target.path = std::string(protocol::push::kMatrixNotifyPath);
  return target;
}

std::string notification_id(const storage::PendingNotification& n) {
  return "n-" + std::to_string(n.recipient_id) + "-" + std::to_string(n.chat_id) + "-" + std::to_string(n.seq);
}

}  // namespace

Notifier::Notifier(const Config& config, Health& health, BridgeMetrics& metrics, Logger& log,
                   const std::atomic<bool>& give_up)
    : config_(config),
      metrics_(metrics),
      log_(log),
      target_(webhook_target(config)),
      db_(config.database_url,
          BackoffPolicy{std::chrono::milliseconds(config.db_backoff_first_ms),
                        std::chrono::milliseconds(config.db_backoff_max_ms)},
          give_up, health, metrics, log, "notifier") {}

Notifier::~Notifier() { stop(); }

void Notifier::start() {
  thread_ = std::thread([this] { run(); });
}

void Notifier::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Notifier::pause(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, duration, [&] { return stopping_; });
}

void Notifier::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    bool busy = false;
    try {
      busy = round();
    } catch (const Abandoned&) {
      return;
    } catch (const std::exception& error) {
      db_.reset();
      log_.error("notification round failed", {{"error", error.what()}});
    }
    if (!busy) pause(std::chrono::milliseconds(config_.webhook_poll_ms));
  }
}

bool Notifier::round() {
  if (SteadyClock::now() >= next_backlog_sample_) {
    metrics_.notification_backlog.set(
        static_cast<double>(db_.run([](storage::Store& s) { return s.delivery().notification_backlog(); })));
    next_backlog_sample_ = SteadyClock::now() + std::chrono::seconds(5);
  }
  // While a job is leased no other worker takes it; a worker that dies
  // mid-round leaves its jobs to be claimed again when the lease runs out.
  // The round posts only while a whole request still fits into the lease.
  const auto timeout = std::chrono::milliseconds(config_.webhook_timeout_ms);
  const auto lease =
      std::max<std::chrono::milliseconds>(std::chrono::seconds(30), 2 * timeout + std::chrono::seconds(5));
  const auto round_end = SteadyClock::now() + lease - timeout - std::chrono::seconds(2);
  const auto jobs =
      db_.run([&](storage::Store& s) { return s.delivery().claim_notifications(config_.webhook_batch, lease); });
  if (jobs.empty()) return false;
  // The recipients' push devices as they are now, when their notifications
  // are about to be sent.
  std::map<storage::UserId, std::vector<storage::PushDevice>> devices;
  if (config_.matrix_webhook()) {
    std::vector<storage::UserId> recipients;
    for (const auto& job : jobs) recipients.push_back(job.recipient_id);
    std::sort(recipients.begin(), recipients.end());
    recipients.erase(std::unique(recipients.begin(), recipients.end()), recipients.end());
    for (auto& device : db_.run([&](storage::Store& s) { return s.delivery().push_devices_of(recipients); })) {
      devices[device.user_id].push_back(std::move(device));
    }
  }

  std::vector<std::int64_t> finished;
  const BackoffPolicy policy{std::chrono::milliseconds(config_.webhook_backoff_first_ms),
                             std::chrono::milliseconds(config_.webhook_backoff_max_ms)};
  std::mt19937_64 random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  for (const auto& job : jobs) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;  // the rest come back when the lease runs out
    }
    if (SteadyClock::now() > round_end) break;  // likewise
    // No push for what the recipient read on another device meanwhile, for a
    // chat it muted, or for an edit, deletion or reaction.
    Counter* skipped = nullptr;
    if (job.already_read) {
      skipped = &metrics_.notifications_skipped_read;
    } else if (job.muted) {
      skipped = &metrics_.notifications_skipped_muted;
    } else if (!job.content_message) {
      skipped = &metrics_.notifications_skipped_kind;
    } else if (config_.matrix_webhook() && devices[job.recipient_id].empty()) {
      skipped = &metrics_.notifications_skipped_no_device;
    }
    if (skipped != nullptr) {
      skipped->inc();
      finished.push_back(job.id);
      continue;
    }
    const std::string failure = send(job, devices[job.recipient_id]);
    if (failure.empty()) {
      metrics_.notifications_sent.inc();
      finished.push_back(job.id);
      continue;
    }
    metrics_.notifications_failed.inc();
    if (job.attempts >= config_.webhook_max_attempts) {
      metrics_.notifications_dropped.inc();
      finished.push_back(job.id);
      log_.error("notification given up", {{"recipient", job.recipient_id},
                                           {"chat", job.chat_id},
                                           {"seq", job.seq},
                                           {"attempts", job.attempts},
                                           {"error", failure}});
      continue;
    }
    const auto delay = backoff_delay(policy, job.attempts, jitter(random));
    log_.warn("notification failed, will retry", {{"recipient", job.recipient_id},
                                                  {"chat", job.chat_id},
                                                  {"seq", job.seq},
                                                  {"attempt", job.attempts},
                                                  {"retry_in_ms", static_cast<std::int64_t>(delay.count())},
                                                  {"error", failure}});
    db_.run([&](storage::Store& s) {
      s.delivery().reschedule_notification(job.id, delay, failure);
      return 0;
    });
  }
  db_.run([&](storage::Store& s) {
    s.delivery().finish_notifications(finished);
    return 0;
  });
  return true;
}

std::string Notifier::send(const storage::PendingNotification& n, const std::vector<storage::PushDevice>& devices) {
  if (config_.matrix_webhook()) return send_matrix(n, devices);
  return post(notification_id(n), webhook_payload(n), nullptr);
}

std::string Notifier::send_matrix(const storage::PendingNotification& n,
                                  const std::vector<storage::PushDevice>& devices) {
  // Devices that asked for event ids only get a notification of their own
  // (as a Matrix homeserver sends one per pusher format).
  std::vector<storage::PushDevice> full;
  std::vector<storage::PushDevice> ids_only;
  for (const auto& device : devices) {
    (config_.push_event_id_only() || wants_event_id_only(device) ? ids_only : full).push_back(device);
  }
  std::string failure;
  std::vector<std::string> rejected;
  for (const bool event_id_only : {false, true}) {
    const auto& group = event_id_only ? ids_only : full;
    if (group.empty()) continue;
    std::string answer;
    const std::string error = post(notification_id(n), matrix_notification_payload(n, group, event_id_only), &answer);
    if (!error.empty()) {
      failure = error;
      continue;
    }
    for (auto& key : rejected_pushkeys(answer)) rejected.push_back(std::move(key));
  }
  if (!rejected.empty()) {
    const auto removed =
        db_.run([&](storage::Store& s) { return s.delivery().remove_rejected_pushkeys(n.recipient_id, rejected); });
    metrics_.push_devices_rejected.inc(static_cast<std::uint64_t>(removed));
    log_.info("push gateway rejected pushkeys: devices unregistered",
              {{"recipient", n.recipient_id}, {"removed", removed}});
  }
  return failure;
}

std::string Notifier::post(const std::string& id, const std::string& body, std::string* answer) {
  if (target_.origin.empty()) return "webhook_url is not an http(s) URL";
  httplib::Client client(target_.origin);
  const auto timeout = std::chrono::milliseconds(config_.webhook_timeout_ms);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  const httplib::Headers headers{{"X-Chat-Notification-Id", id}};
  const auto started = SteadyClock::now();
  auto response = client.Post(target_.path, headers, body, "application/json");  // not const: the body is moved out
  metrics_.webhook_seconds.observe(std::chrono::duration<double>(SteadyClock::now() - started).count());
  if (!response) return "request failed: " + httplib::to_string(response.error());
  if (response->status >= 200 && response->status < 300) {
    if (answer != nullptr) *answer = std::move(response->body);
    return {};
  }
  return "HTTP " + std::to_string(response->status);
}

}  // namespace chat::bridge
