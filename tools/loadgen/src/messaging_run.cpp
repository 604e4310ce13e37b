// The messaging run while it runs: connecting every client, what the event
// loop hands over (deliveries, acks, the bridge's events) and the driver that
// schedules and publishes (messaging_run.hpp).
#include "messaging_run.hpp"

#include "chat/loadgen/message.hpp"
#include "event_loop.hpp"

#include <algorithm>
#include <iostream>
#include <thread>

namespace chat::loadgen {

bool MessagingRun::connect() {
  subscribe_retries_.assign(pop_.clients(), 0);
  for (std::uint32_t c = 0; c < pop_.clients(); ++c) {
    auto d =
        std::make_unique<Device>(o_.inflight, pop_, traffic_.group_share, o_.seed * 1000003ULL + c, traffic_.paired);
    d->user = pop_.user_of(c);
    d->device = pop_.device_of(c);
    d->sender = d->user < traffic_.senders;
    d->filters = pop_.subscriptions(c);
    if (bridge_acks_) d->filters.push_back(user_event_topic(pop_.uid(d->user)));
    d->client = std::make_unique<MqttClient>(*this, c, o_.uri, pop_.client_id(c), o_.mqtt_version,
                                             static_cast<int>(std::min<std::uint32_t>(o_.inflight, 65535)));
    if (d->sender) sender_clients_.push_back(c);
    devices_.push_back(std::move(d));
  }
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>(o_.connect_timeout_s));
  const std::uint32_t total = pop_.clients();
  ConnectSettings settings;  // clean sessions, automatic reconnect
  std::uint32_t started = 0;
  while (subscribed_.load() < total) {
    if (failed_.load()) return false;
    // At most --connect-window handshakes outstanding: thousands at once would make the
    // broker's accept queue the subject of the test.
    while (started < total && started - std::min(started, subscribed_.load()) < o_.connect_window) {
      if (platform_ != nullptr) {
        const auto uid = pop_.uid(devices_[started]->user);
        if (const auto it = platform_->credentials.find(uid); it != platform_->credentials.end()) {
          settings.username = it->second.first;
          settings.password = it->second.second;
        }
      }
      const int rc = devices_[started]->client->connect(settings);
      if (rc != kMqttOk) {
        fail("connect " + devices_[started]->client->client_id() + ": " + MqttClient::error_text(rc));
        return false;
      }
      ++started;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      fail("only " + std::to_string(subscribed_.load()) + " of " + std::to_string(total) +
           " clients connected and subscribed within --connect-timeout");
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // outcomes arrive on the event loop
  }
  connect_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return true;
}

void MessagingRun::message(std::uint32_t c, std::string_view topic, std::string_view payload) {
  if (bridge_acks_ && topic.starts_with("u/")) {
    platform_event(c, payload);
    return;
  }
  const auto now = now_us();
  std::uint32_t from_user = 0;
  std::uint64_t send_us = 0;
  std::optional<MessageId> id;
  if (const auto t = parse_msg_topic(topic); t && pop_.user_index(t->from, from_user)) {
    if (const auto m = parse_message(payload)) {
      send_us = m->send_us;
      id = parse_message_id(m->id);
    }
  }
  if (!id || id->run != run_tag_ || id->device >= pop_.devices()) {
    ++foreign_;
    return;
  }
  if (tracker_.received(c, pop_.client(from_user, id->device), id->n) == Delivery::first) {
    --undelivered_;
    if (send_us != 0) {
      const auto latency = now > send_us ? now - send_us : 0;
      e2e_.record(latency);
      windows_.delivered(now, latency);
      if (!o_.latency_log.empty()) delivery_log_.emplace_back(send_us, now);
    }
  }
  last_delivery_us_ = now;
}

// The bridge's acks (either shape) or a nack for messages of this run sent by device c.
void MessagingRun::platform_event(std::uint32_t c, std::string_view payload) {
  const auto now = now_us();
  // Every device of a user hears its events: the sending device takes them.
  const auto mine = [&](const std::string& text) {
    const auto id = parse_message_id(text);
    return id && id->run == run_tag_ && id->device == devices_[c]->device ? id : std::nullopt;
  };
  for (const auto& ack : parse_ack_events(payload)) {
    if (const auto id = mine(ack.id)) settle(c, id->n, PublishOutcome::acked, now);
  }
  if (const auto nack = parse_nack_id(payload)) {
    if (const auto id = mine(*nack)) settle(c, id->n, PublishOutcome::rejected, now);
  }
}

void MessagingRun::settle(std::uint32_t c, std::uint64_t n, PublishOutcome outcome, std::uint64_t now) {
  auto& d = *devices_[c];
  const auto times = d.outbox.ack(n);
  if (!times) return;
  if (outcome == PublishOutcome::rejected) {
    ++rejected_;
  } else {
    const auto since = [now](std::uint64_t t) { return now > t ? now - t : 0; };
    ack_.record(since(times->intended_us));
    publish_ack_.record(since(times->published_us));
    outbox_wait_.record(times->outbox_wait_us());
    windows_.acked(now, times->intended_us, times->published_us);
    if (!o_.latency_log.empty()) ack_log_.emplace_back(times->intended_us, now);
    last_ack_us_ = now;
    ++acked_;
  }
  ++settled_;
  // A place in the window: a held message goes now (open loop), or the device may send again.
  if (!d.held.empty() && d.client->connected()) {
    const auto due = d.held.front();
    d.held.pop_front();
    publish_new(d, due);
  } else if (closed_loop()) {
    make_ready(d);
  }
}

void MessagingRun::make_ready(Device& d) {
  if (d.ready || !d.sender) return;
  d.ready = true;
  ready_.push_back(&d);
}

// A new message, due at due_us (its latency counts from then); the window has room.
void MessagingRun::publish_new(Device& d, std::uint64_t due_us) {
  std::uint32_t dest = 0;
  if (!d.picker.pick(d.user, dest)) return;
  const auto n = d.next_n++;
  std::string topic = pop_.topic(dest, d.user);
  std::string payload = build_message(format_message_id(run_tag_, d.device, n), due_us, o_.payload_bytes, o_.words);
  // Before the publish: a delivery may arrive before the next event is handled.
  undelivered_ += static_cast<std::int64_t>(tracker_.sent(d.client->index(), n, dest));
  d.outbox.add(n, topic, payload, due_us, std::max(due_us, now_us()));
  if (d.client->publish(topic, payload, o_.qos, n) != kMqttOk) {
    d.outbox.mark_unsent(n);
    ++publish_failures_;
    retry_pending_ = true;
  }
}

void MessagingRun::resend(Device& d) {
  if (!d.client->connected()) return;
  for (const auto& p : d.outbox.take_unsent()) {
    if (d.client->publish(p.topic, p.payload, o_.qos, p.n) != kMqttOk) {
      d.outbox.mark_unsent(p.n);
      retry_pending_ = true;
    }
  }
}

// Closed loop: fill the windows of the devices acks have freed.
void MessagingRun::send_closed_loop() {
  std::vector<Device*> ready;
  ready.swap(ready_);
  for (auto* d : ready) {
    d->ready = false;
    while (issued_ < o_.messages || o_.duration_s > 0) {
      if (!d->client->connected() || !d->outbox.has_room()) break;
      if (delivery_cap_ > 0 && undelivered_ >= delivery_cap_) {
        make_ready(*d);  // again when deliveries come in
        break;
      }
      const auto now = now_us();
      ++issued_;
      windows_.sent(now);
      publish_new(*d, now);
    }
  }
}

// Open loop: every message due by now goes to its sender, or waits in its held queue.
std::uint64_t MessagingRun::send_on_schedule(std::uint64_t now) {
  const auto due = schedule_->due_by(now);
  while (scheduled_ < due && (o_.duration_s > 0 || scheduled_ < o_.messages)) {
    const auto at = schedule_->intended_us(scheduled_);
    auto& d = *devices_[sender_clients_[scheduled_ % sender_clients_.size()]];
    ++scheduled_;
    ++issued_;
    windows_.sent(at);
    if (d.held.empty() && d.outbox.has_room() && d.client->connected()) {
      publish_new(d, at);
    } else {
      d.held.push_back(at);
    }
  }
  return schedule_->wait_us(scheduled_, now_us());
}

bool MessagingRun::drain_done(std::uint64_t now) {
  const bool settled = settled_ >= issued_;
  const bool delivered = tracker_.firsts() >= tracker_.expected();
  if (settled && delivered) {
    drained_ = true;
    return true;
  }
  if (now >= drain_deadline_) return true;
  // Everything acked, deliveries missing and none arriving for a while: they are lost
  // (a plain broker drops what a clean session missed); no need to sit out the timeout.
  const auto quiet_us = static_cast<std::uint64_t>(std::min(o_.drain_timeout_s, 2.0) * 1e6);
  return settled && now > std::max(last_delivery_us_, send_end_) + quiet_us;
}

std::chrono::microseconds MessagingRun::tick() {
  if (done_) return std::chrono::milliseconds(100);
  const auto now = now_us();
  if (failed_.load()) {
    finish();
    return std::chrono::milliseconds(100);
  }
  // After a failed publish or a lost connection: the devices that are connected publish what
  // they had unacked and what was held meanwhile; the others when they are back.
  if (retry_pending_) {
    retry_pending_ = false;
    for (const auto c : sender_clients_) {
      auto& d = *devices_[c];
      if (!d.client->connected()) {
        retry_pending_ = retry_pending_ || d.outbox.unsent() > 0 || !d.held.empty();
        continue;
      }
      resend(d);
      while (!d.held.empty() && d.outbox.has_room()) {
        const auto due = d.held.front();
        d.held.pop_front();
        publish_new(d, due);
      }
      if (closed_loop()) make_ready(d);
    }
  }
  std::uint64_t wait_us = 100000;
  if (send_end_ == 0) {
    const auto end_us = t0_ + static_cast<std::uint64_t>(o_.duration_s * 1e6);
    const bool over =
        o_.duration_s > 0 ? now >= end_us : (closed_loop() ? issued_ >= o_.messages : scheduled_ >= o_.messages);
    if (over) {
      // A tick that came late (a busy box) still owes the messages due before the end: the
      // schedule, not the event loop's punctuality, decides how many a timed run sends.
      if (!closed_loop() && o_.duration_s > 0 && end_us > t0_) send_on_schedule(end_us - 1);
      send_end_ = now;
      drain_deadline_ = now + static_cast<std::uint64_t>(o_.drain_timeout_s * 1e6);
      // For scripts that act between the send phase and the drain (scripts/bench-platform).
      std::cerr << "chat-loadgen: send phase over, " << issued_ << " messages sent\n" << std::flush;
    } else if (closed_loop()) {
      send_closed_loop();
      // A run whose windows never free up (acks lost for good) ends after --drain-timeout.
      if (issued_ != progress_mark_) {
        progress_mark_ = issued_;
        last_progress_us_ = now;
      } else if (now - last_progress_us_ > static_cast<std::uint64_t>(std::max(o_.drain_timeout_s, 1.0) * 1e6)) {
        stalled_ = true;
        send_end_ = now;
        drain_deadline_ = now;
      }
    } else {
      wait_us = send_on_schedule(now);
    }
  }
  if (send_end_ != 0 && drain_done(now_us())) finish();
  return std::chrono::microseconds(std::min<std::uint64_t>(wait_us, 100000));
}

void MessagingRun::finish() {
  std::lock_guard lock(done_mu_);
  done_ = true;
  done_cv_.notify_all();
}

void MessagingRun::disconnect_all() {
  for (auto& d : devices_) {
    if (d->client->connected()) (void)d->client->disconnect(1000);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < deadline &&
         std::any_of(devices_.begin(), devices_.end(), [](const auto& d) { return d->client->connected(); })) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // DISCONNECTs go out on the event loop
  }
}

}  // namespace chat::loadgen
