#include "bridge_metrics.hpp"

#include <vector>

namespace chat::bridge {
namespace {

const std::vector<double> kLatencyBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05,
                                          0.1,    0.25,  0.5,    1,     2.5,  5,    10};

}  // namespace

BridgeMetrics::BridgeMetrics(Registry& r)
    : registry(r),
      received(
          r.counter("chat_bridge_messages_received_total", "Messages received from the broker (all inbound topics)")),
      invalid_topics(
          r.counter("chat_bridge_invalid_topics_total", "Inbound messages on a topic the bridge does not handle")),
      stored(r.counter("chat_bridge_messages_stored_total", "Chat messages newly stored")),
      duplicates(r.counter("chat_bridge_messages_duplicate_total", "Resends of messages stored before (acked again)")),
      refused_not_found(r.counter("chat_bridge_messages_refused_total", "Messages answered with a nack, by error",
                                  "error=\"not_found\"")),
      refused_forbidden(r.counter("chat_bridge_messages_refused_total", "", "error=\"forbidden\"")),
      refused_bad_request(r.counter("chat_bridge_messages_refused_total", "", "error=\"bad_request\"")),
      refused_too_large(r.counter("chat_bridge_messages_refused_total", "", "error=\"too_large\"")),
      dropped(r.counter("chat_bridge_messages_dropped_total",
                        "Messages neither acked nor nacked (unreadable, or an internal error); the sender resends")),
      acks(r.counter("chat_bridge_acks_total", "ack events published")),
      outbound_depth(r.gauge("chat_bridge_outbound_queue_depth",
                             "Acks, nacks and presence waiting for the MQTT client (sampled)")),
      nacks(r.counter("chat_bridge_nacks_total", "nack events published")),
      publish_errors(r.counter("chat_bridge_publish_errors_total", "Publishes the MQTT client refused")),
      backpressure_waits(
          r.counter("chat_bridge_backpressure_waits_total", "Times the MQTT callback waited for room in a full queue")),
      db_errors(r.counter("chat_bridge_db_errors_total", "Database operations that failed (each retry counts)")),
      receipts(r.counter("chat_bridge_receipts_total", "Receipts received")),
      cursor_moves(r.counter("chat_bridge_cursor_updates_total", "Member cursors moved forward by receipts")),
      presence_events(r.counter("chat_bridge_presence_events_total", "Device state events handled")),
      presence_dropped(r.counter("chat_bridge_presence_dropped_total",
                                 "Device states not kept: too many distinct devices waiting to be stored")),
      presence_published(r.counter("chat_bridge_presence_published_total", "Retained presence messages published")),
      stale_devices_cleared(r.counter("chat_bridge_stale_users_cleared_total",
                                      "Users marked offline because their device states predate the broker's start")),
      notifications_sent(
          r.counter("chat_bridge_notifications_sent_total", "Notification jobs the webhook accepted (2xx)")),
      notifications_failed(
          r.counter("chat_bridge_notifications_failed_total", "Webhook attempts that failed (retried later)")),
      notifications_dropped(r.counter("chat_bridge_notifications_dropped_total",
                                      "Notification jobs given up after webhook_max_attempts")),
      notifications_skipped_read(
          r.counter("chat_bridge_notifications_skipped_read_total",
                    "Notification jobs not sent because the recipient had read the message meanwhile")),
      notifications_skipped_muted(r.counter("chat_bridge_notifications_skipped_muted_total",
                                            "Notification jobs not sent because the recipient muted the chat")),
      notifications_skipped_kind(r.counter("chat_bridge_notifications_skipped_kind_total",
                                           "Notification jobs not sent because the message is an edit, a "
                                           "deletion or a reaction")),
      notifications_skipped_no_device(
          r.counter("chat_bridge_notifications_skipped_no_device_total",
                    "Notification jobs not sent because the recipient has no push device (matrix format)")),
      push_devices_rejected(r.counter("chat_bridge_push_devices_rejected_total",
                                      "Push registrations removed because the push gateway rejected their pushkey")),
      notification_backlog(r.gauge("chat_bridge_notification_backlog", "Jobs in the notification outbox (sampled)")),
      search_indexed(r.counter("chat_bridge_search_indexed_total",
                               "Stored messages the search indexer walked (copied, updated or passed over)")),
      search_index_backlog(
          r.gauge("chat_bridge_search_index_backlog", "Stored messages not yet indexed for search (sampled)")),
      batch_size(r.histogram("chat_bridge_batch_size", "Messages per write transaction",
                             {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000})),
      batch_seconds(r.histogram("chat_bridge_batch_seconds", "Duration of a batch's database work", kLatencyBuckets)),
      ack_latency(
          r.histogram("chat_bridge_ack_latency_seconds",
                      "From a message's arrival at the bridge to its ack handed to the MQTT client (after commit)",
                      kLatencyBuckets)),
      webhook_seconds(r.histogram("chat_bridge_webhook_seconds", "Duration of a webhook request", kLatencyBuckets)),
      requests(r.counter("chat_bridge_requests_total", "Client requests answered")),
      requests_failed(r.counter("chat_bridge_requests_failed_total", "Client requests answered with an error")),
      requests_busy(
          r.counter("chat_bridge_requests_busy_total", "Client requests refused because the request queue was full")),
      membership_events(
          r.counter("chat_bridge_membership_events_total", "chat.* events published (membership, chat.muted)")),
      request_seconds(r.histogram("chat_bridge_request_seconds",
                                  "From a request's arrival at the bridge to its answer handed to the outbound queue",
                                  kLatencyBuckets)) {}

}  // namespace chat::bridge
