#pragma once
// The bridge's metrics, one field per series (created in bridge_metrics.cpp,
// exposed on /metrics).
#include "observability.hpp"

namespace chat::bridge {

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
  Counter& notifications_skipped_muted;
  Counter& notifications_skipped_kind;
  Counter& notifications_skipped_no_device;
  Counter& push_devices_rejected;
  Gauge& notification_backlog;
  Counter& search_indexed;
  Gauge& search_index_backlog;
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

}  // namespace chat::bridge
