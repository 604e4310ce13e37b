#pragma once
// Device states (st/{uid}/{device}) to devices.online, users.last_seen and the
// retained presence/{uid}; and the clearing of device states that predate the
// broker's start (left stale by a crash: their `offline` will never came).
#include "chat/bridge/batch_queue.hpp"
#include "chat/bridge/config.hpp"
#include "db_session.hpp"
#include "runtime.hpp"

#include <optional>
#include <thread>

namespace chat::bridge {

struct PresenceEvent {
  enum class Kind { device, broker_uptime } kind = Kind::device;
  std::int64_t uid = 0;
  std::string device;
  bool online = false;
  std::int64_t uptime_s = 0;  // broker_uptime
  bool retained = false;      // broker_uptime: the retained value (up to sys_interval old)
  std::int64_t at_ms = 0;     // when it arrived
};

class PresenceWorker {
 public:
  PresenceWorker(const Config& config, Publisher& publisher, Health& health, BridgeMetrics& metrics, Logger& log,
                 const std::atomic<bool>& give_up);
  ~PresenceWorker();

  BatchQueue<PresenceEvent>& queue() { return queue_; }
  void start();
  void finish();
  void join();

 private:
  void run();
  void handle(const PresenceEvent& event);
  void publish(std::int64_t uid, bool online, std::optional<std::int64_t> last_seen_ms);

  Publisher& publisher_;
  BridgeMetrics& metrics_;
  Logger& log_;
  BatchQueue<PresenceEvent> queue_;
  DbSession db_;
  std::thread thread_;
};


}  // namespace chat::bridge
