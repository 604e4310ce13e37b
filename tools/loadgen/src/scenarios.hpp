#pragma once
// The scenarios of chat-loadgen, each wiring the core (histogram, tracker,
// outbox, population) to MQTT. Each returns an exit code (options.hpp) and
// fills the report.
#include "chat/loadgen/options.hpp"
#include "chat/loadgen/report.hpp"

#include <cstdint>

namespace chat::loadgen {

// Microseconds since the Unix epoch (CLOCK_REALTIME: the payload's clock).
std::uint64_t now_us();

// The uid of this process's Ticker (mqtt_client.hpp): far above any simulated user.
std::uint64_t ticker_uid();

// plain, and fanout --plain (one sender, one group).
int run_messaging(const Options& options, Report& report);
// connect-storm --plain: K anonymous clients connect at once.
int run_connect_storm(const Options& options, Report& report);
// sync --plain: a persistent session catches up on what the broker queued.
int run_sync(const Options& options, Report& report);

}  // namespace chat::loadgen
