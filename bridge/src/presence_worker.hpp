#pragma once
// Device states (st/{uid}/{device}) to devices.online, users.last_seen and the
// retained presence/{uid}; and the clearing of device states that predate the
// broker's start (left stale by a crash: their `offline` will never came).
#include "chat/bridge/batch_queue.hpp"
#include "chat/bridge/config.hpp"
#include "chat/bridge/device_state_table.hpp"
#include "db_session.hpp"
#include "bridge_metrics.hpp"
#include "chat/bridge/topics.hpp"
#include "health.hpp"
#include "publisher.hpp"
#include "observability.hpp"

#include <optional>
#include <thread>

namespace chat::bridge {

// The broker's uptime, read after each connect of the publisher.
struct BrokerUptime {
  std::int64_t uptime_s = 0;
  bool retained = false;   // the retained value (up to sys_interval old)
  std::int64_t at_ms = 0;  // when it arrived
};

class PresenceWorker {
 public:
  PresenceWorker(const Config& config, Publisher& publisher, Health& health, BridgeMetrics& metrics, Logger& log,
                 const std::atomic<bool>& give_up);
  ~PresenceWorker();

  // From the MQTT callback; never waits (see DeviceStateTable).
  void device_state(storage::DeviceState state);
  void broker_uptime(BrokerUptime uptime);
  std::size_t pending() const { return states_.size(); }
  void start();
  void finish();
  void join();

 private:
  void run();
  void apply(const std::vector<storage::DeviceState>& states);
  void clear_stale(const BrokerUptime& uptime);
  void publish(std::int64_t uid, bool online, std::optional<std::int64_t> last_seen_ms);

  Publisher& publisher_;
  BridgeMetrics& metrics_;
  Logger& log_;
  DeviceStateTable states_;
  BatchQueue<BrokerUptime> uptimes_;
  DbSession db_;
  std::thread thread_;
};

}  // namespace chat::bridge
