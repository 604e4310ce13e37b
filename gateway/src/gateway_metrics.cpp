#include "gateway_metrics.hpp"

namespace chat::gateway {
namespace {

using observability::metric_labels;

constexpr const char* kMessages = "chat_gateway_messages_total";
constexpr const char* kMessagesHelp = "WebSocket messages forwarded, by direction";
constexpr const char* kBytes = "chat_gateway_bytes_total";
constexpr const char* kBytesHelp = "bytes forwarded, by direction";

}  // namespace

GatewayMetrics::GatewayMetrics(int max_connections, Gauges gauges)
    : connections_accepted(
          registry_.counter("chat_gateway_connections_accepted_total", "TCP connections accepted on ws and wss")),
      upgrades(registry_.counter("chat_gateway_upgrades_total", "WebSockets opened and piped to the broker")),
      messages_to_broker(registry_.counter(kMessages, kMessagesHelp, metric_labels({{"direction", "to_broker"}}))),
      bytes_to_broker(registry_.counter(kBytes, kBytesHelp, metric_labels({{"direction", "to_broker"}}))),
      messages_to_clients(registry_.counter(kMessages, kMessagesHelp, metric_labels({{"direction", "to_client"}}))),
      bytes_to_clients(registry_.counter(kBytes, kBytesHelp, metric_labels({{"direction", "to_client"}}))) {
  registry_.gauge_fn("chat_gateway_connections_open", "WebSocket connections open or in their handshake",
                     std::move(gauges.connections_open));
  registry_.gauge_fn("chat_gateway_pipes_open", "WebSocket connections piped to the broker",
                     std::move(gauges.pipes_open));
  registry_.gauge("chat_gateway_connections_max", "the cap on open connections (max_connections)").set(max_connections);
  registry_.gauge_fn("chat_gateway_draining", "1 after SIGTERM", std::move(gauges.draining));
}

void GatewayMetrics::refused(std::string_view reason) {
  registry_
      .counter("chat_gateway_refusals_total", "handshakes answered with an HTTP error, by reason",
               metric_labels({{"reason", reason}}))
      .inc();
}

void GatewayMetrics::handshake_failed(std::string_view stage) {
  registry_
      .counter("chat_gateway_handshake_failures_total", "handshakes that did not finish, by stage",
               metric_labels({{"stage", stage}}))
      .inc();
}

void GatewayMetrics::closed(std::string_view reason) {
  registry_.counter("chat_gateway_closes_total", "pipes ended, by what ended them", metric_labels({{"reason", reason}}))
      .inc();
}

}  // namespace chat::gateway
