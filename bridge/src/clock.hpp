#pragma once
// The two clocks of the bridge: steady for waits and latencies, the wall
// clock (milliseconds since the Unix epoch, as on the wire) for records.
#include <chrono>
#include <cstdint>

namespace chat::bridge {

using SteadyClock = std::chrono::steady_clock;

// Milliseconds since the Unix epoch.
std::int64_t now_ms();

}  // namespace chat::bridge
