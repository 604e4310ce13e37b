#pragma once
// /healthz and /metrics on a loopback port (cpp-httplib, its own thread).
#include "observability.hpp"
#include "health.hpp"

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace chat::bridge {

class HttpServer {
 public:
  // health_detail: a JSON object describing the state, for /healthz.
  HttpServer(Health& health, Registry& registry, std::function<std::string()> health_detail);
  ~HttpServer();
  // Binds (throws std::runtime_error when it cannot) and serves in a thread.
  void start(const std::string& bind, int port);
  void stop();

 private:
  Health& health_;
  Registry& registry_;
  std::function<std::string()> health_detail_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace chat::bridge
