#pragma once
// What every connection of the gateway shares: settings, counters, the cap on
// open connections and the open pipes a drain must close. One io_context
// thread runs the whole gateway, so nothing here is locked.
#include "chat/gateway/config.hpp"
#include "log.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

namespace chat::gateway {

// A connection piped to the broker; a drain asks it to close (1001 Going Away).
class Drainable {
 public:
  virtual void drain() = 0;

 protected:
  ~Drainable() = default;
};

struct Counters {
  std::uint64_t connections_accepted = 0;                   // TCP connections taken, both listeners
  std::uint64_t upgrades = 0;                               // WebSockets opened and piped
  std::map<std::string, std::uint64_t> refusals;            // by reason: HTTP answers other than 101
  std::map<std::string, std::uint64_t> handshake_failures;  // timeout, tls, http, websocket
  std::map<std::string, std::uint64_t> closes;              // by who or what ended a pipe
  std::uint64_t messages_to_broker = 0;                     // WebSocket messages from clients
  std::uint64_t bytes_to_broker = 0;
  std::uint64_t reads_from_broker = 0;  // = WebSocket messages to clients
  std::uint64_t bytes_to_clients = 0;
};

class GatewayState;

// One place among max_connections, released on destruction.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  explicit ConnectionSlot(GatewayState* state) : state_(state) {}
  ConnectionSlot(ConnectionSlot&& other) noexcept : state_(other.state_) { other.state_ = nullptr; }
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ~ConnectionSlot();
  explicit operator bool() const { return state_ != nullptr; }

 private:
  GatewayState* state_ = nullptr;
};

class GatewayState {
 public:
  GatewayState(Config config, Logger& log);

  const Config& config() const { return config_; }
  const std::vector<std::string>& allowed_origins() const { return allowed_origins_; }
  Logger& log() { return log_; }
  Counters& counters() { return counters_; }
  const Counters& counters() const { return counters_; }

  // A slot, or an empty one when max_connections are open.
  ConnectionSlot try_admit();
  int open_connections() const { return open_; }
  int open_pipes() const { return static_cast<int>(pipes_.size()); }

  void add_pipe(Drainable* pipe) { pipes_.insert(pipe); }
  void remove_pipe(Drainable* pipe) { pipes_.erase(pipe); }

  bool draining() const { return draining_; }
  // Closes every open pipe; `drained` runs once no connection is left (maybe at once).
  void begin_drain(std::function<void()> drained);

 private:
  friend class ConnectionSlot;
  void release();

  Config config_;
  std::vector<std::string> allowed_origins_;
  Logger& log_;
  Counters counters_;
  int open_ = 0;
  std::unordered_set<Drainable*> pipes_;
  bool draining_ = false;
  std::function<void()> drained_;
};

// Prometheus text exposition of the counters and gauges.
std::string render_metrics(const GatewayState& state);

}  // namespace chat::gateway
