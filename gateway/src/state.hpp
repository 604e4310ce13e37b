#pragma once
// What every connection of the gateway shares: settings, metrics, the cap on
// open connections and the open pipes a drain must close. One io_context
// thread runs the whole gateway, so nothing here is locked.
#include "chat/gateway/config.hpp"
#include "chat/observability/log.hpp"
#include "gateway_metrics.hpp"

#include <functional>
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
  GatewayState(Config config, observability::Logger& log);

  const Config& config() const { return config_; }
  const std::vector<std::string>& allowed_origins() const { return allowed_origins_; }
  observability::Logger& log() { return log_; }
  GatewayMetrics& metrics() { return metrics_; }
  const GatewayMetrics& metrics() const { return metrics_; }

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
  observability::Logger& log_;
  int open_ = 0;
  std::unordered_set<Drainable*> pipes_;
  bool draining_ = false;
  std::function<void()> drained_;
  GatewayMetrics metrics_;  // last: its gauges read the members above
};

}  // namespace chat::gateway
