#include "chat/testing/http_probe.hpp"

#include <httplib.h>

#include <chrono>
#include <sstream>

namespace chat::testing {

std::pair<int, std::string> http_get(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(5));
  const auto response = client.Get(path);
  if (!response) return {0, {}};
  return {response->status, response->body};
}

double prometheus_value(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

}  // namespace chat::testing
