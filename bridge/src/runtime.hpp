#pragma once
// What the parts of the running bridge share: the inbound item, health flags,
// the metrics, and the publishing side of the MQTT link.
#include "chat/bridge/ack_batch.hpp"
#include "chat/bridge/topics.hpp"
#include "chat/observability/log.hpp"
#include "chat/observability/metrics.hpp"

#include <atomic>
#include <chrono>
#include <string>

namespace chat::bridge {

// Logs and metrics are chat::observability's, shared with chat-admin.
using observability::Counter;
using observability::Gauge;
using observability::Histogram;
using observability::Logger;
using observability::LogLevel;
using observability::parse_log_level;
using observability::Registry;

using SteadyClock = std::chrono::steady_clock;

// One message from the broker, as the MQTT callback hands it over.
struct Inbound {
  InboundTopic topic;
  std::string topic_text;
  std::string payload;
  SteadyClock::time_point received;
};

// Milliseconds since the Unix epoch.
std::int64_t now_ms();

class Health {
 public:
  std::atomic<bool> session_connected{false};
  // The broker acknowledged the session's subscriptions: until then a client's
  // request or message can reach the broker before the bridge's filter does
  // and go nowhere, so the bridge does not call itself healthy.
  std::atomic<bool> session_subscribed{false};
  std::atomic<bool> publisher_connected{false};
  std::atomic<bool> db_ok{true};
  std::atomic<bool> draining{false};

  bool ok() const { return session_connected && session_subscribed && publisher_connected && db_ok && !draining; }
};

struct BridgeMetrics {
  explicit BridgeMetrics(Registry& r);

  Registry& registry;
  Counter& received;
  Counter& invalid_topics;
  Counter& stored;
  Counter& duplicates;
  Counter& refused_not_found;
  Counter& refused_forbidden;
  Counter& refused_bad_request;
  Counter& refused_too_large;
  Counter& dropped;
  Counter& acks;
  Gauge& outbound_depth;
  Counter& nacks;
  Counter& publish_errors;
  Counter& backpressure_waits;
  Counter& db_errors;
  Counter& receipts;
  Counter& cursor_moves;
  Counter& presence_events;
  Counter& presence_dropped;
  Counter& presence_published;
  Counter& stale_devices_cleared;
  Counter& notifications_sent;
  Counter& notifications_failed;
  Counter& notifications_dropped;
  Counter& notifications_skipped_read;
  Gauge& notification_backlog;
  Histogram& batch_size;
  Histogram& batch_seconds;
  Histogram& ack_latency;
  Histogram& webhook_seconds;
  Counter& requests;
  Counter& requests_failed;
  Counter& requests_busy;
  Counter& membership_events;
  Histogram& request_seconds;
};

// Publishing through the bridge's publisher connection.
class Publisher {
 public:
  virtual ~Publisher() = default;
  // QoS 1: nacks, request answers, membership events, retained presence.
  virtual void publish(const std::string& topic, const std::string& payload, bool retained) = 0;
  // QoS 0, on u/{sender}/ev: a lost ack is recovered by the contract's resend
  // rule (the sender publishes unacked messages again after a reconnect and
  // gets them acked as duplicates), and QoS 0 spares the bridge a PUBACK to
  // read and a token to complete per event.
  virtual void publish_acks(AckEvent event) = 0;
};

}  // namespace chat::bridge
