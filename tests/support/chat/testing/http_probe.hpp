#pragma once
// What the integration suites ask a service's loopback HTTP endpoint
// (/healthz, /metrics) of the bridge, the gateway and the admin server.
#include <string>
#include <utility>

namespace chat::testing {

// GET http://127.0.0.1:port/path: {status, body}, or {0, ""} when nothing answered.
std::pair<int, std::string> http_get(int port, const std::string& path);

// The value of an unlabelled series ("name value" line) in a Prometheus text
// exposition; -1 when it is not there.
double prometheus_value(const std::string& exposition, const std::string& series);

}  // namespace chat::testing
