#pragma once
// A connection on the ws:// or wss:// listener, from accept to a piped
// WebSocket or a clear HTTP refusal.
#include "net.hpp"
#include "state.hpp"

namespace chat::gateway {

// `tls`: the wss:// listener's context, or nullptr for ws://.
awaitable<void> serve_client(GatewayState& state, tcp_socket socket, asio::ssl::context* tls, tcp::endpoint broker);

}  // namespace chat::gateway
