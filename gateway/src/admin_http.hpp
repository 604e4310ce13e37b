#pragma once
// /healthz and /metrics on their own loopback port (http_port), apart from
// the WebSocket listeners: the cap on connections and the Origin check do
// not apply to probes, and browsers' pages never see the counters.
#include "net.hpp"
#include "state.hpp"

namespace chat::gateway {

awaitable<void> serve_admin(GatewayState& state, tcp_socket socket);

}  // namespace chat::gateway
