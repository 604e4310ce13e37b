#pragma once
// The gateway's /metrics (docs/gateway.md lists the series) over
// chat::observability's registry, the one chat-bridge and chat-admin use: one
// member or method per thing counted. The gauges are read from the gateway's
// state when /metrics is rendered.
#include "chat/observability/metrics.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace chat::gateway {

class GatewayMetrics {
  // First: the counters below are references into it, initialized after it.
  observability::Registry registry_;

 public:
  struct Gauges {
    std::function<double()> connections_open;  // open or in their handshake
    std::function<double()> pipes_open;
    std::function<double()> draining;  // 1 after SIGTERM
  };
  GatewayMetrics(int max_connections, Gauges gauges);

  observability::Counter& connections_accepted;  // TCP connections taken, both listeners
  observability::Counter& upgrades;              // WebSockets opened and piped
  observability::Counter& messages_to_broker;    // WebSocket messages from clients
  observability::Counter& bytes_to_broker;
  observability::Counter& messages_to_clients;  // = reads from the broker
  observability::Counter& bytes_to_clients;

  void refused(std::string_view reason);          // an HTTP answer other than 101
  void handshake_failed(std::string_view stage);  // timeout, tls, http, websocket
  void closed(std::string_view reason);           // who or what ended a pipe

  std::string render() const { return registry_.render(); }
};

}  // namespace chat::gateway
