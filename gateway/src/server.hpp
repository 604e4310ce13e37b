#pragma once
// The gateway's process: listeners (ws://, wss://, /healthz + /metrics), one
// io_context thread, and the drain on SIGTERM.
#include "chat/gateway/config.hpp"
#include "chat/observability/log.hpp"

namespace chat::gateway {

// Binds every listener (throws std::runtime_error naming what failed), serves
// until SIGTERM or SIGINT, drains, and returns the exit code.
int run_gateway(const Config& config, observability::Logger& log);

}  // namespace chat::gateway
