#pragma once
// What the parts of the running bridge share: the inbound item, health flags,
// the metrics, and the publishing side of the MQTT link.
#include "chat/bridge/log.hpp"
#include "chat/bridge/metrics.hpp"
#include "chat/bridge/topics.hpp"

#include <atomic>
#include <chrono>
#include <string>

namespace chat::bridge {

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
  std::atomic<bool> publisher_connected{false};
  std::atomic<bool> db_ok{true};
  std::atomic<bool> draining{false};

  bool ok() const { return session_connected && publisher_connected && db_ok && !draining; }
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

// Publishing through the bridge's publisher connection (QoS 1).
class Publisher {
 public:
  virtual ~Publisher() = default;
  virtual void publish(const std::string& topic, const std::string& payload, bool retained) = 0;
  // An ack: `received` is when its message arrived, for the ack latency.
  virtual void publish_ack(const std::string& topic, const std::string& payload, SteadyClock::time_point received) = 0;
};

}  // namespace chat::bridge
