#pragma once
// Logs and metrics are chat::observability's, shared with chat-admin; the
// bridge names them unqualified.
#include "chat/observability/log.hpp"
#include "chat/observability/metrics.hpp"

namespace chat::bridge {

using observability::Counter;
using observability::Gauge;
using observability::Histogram;
using observability::Logger;
using observability::LogLevel;
using observability::parse_log_level;
using observability::Registry;

}  // namespace chat::bridge
