#pragma once
// Device states (st/{uid}/{device}) waiting to be stored, one per device:
// the latest state of a device replaces an earlier one not yet taken.
//
// Why: the MQTT callback that hands them over is the message path's too
// (Paho runs every callback on one thread), so it must never wait here. A
// device flapping online/offline a thousand times costs one entry and one
// database row, not a thousand transactions; what is stored is the state the
// device is in, which is all presence needs. Bounded by `capacity` distinct
// devices; past it a new device's state is refused (counted by the caller)
// and its next state, or the stale-device sweep after a broker restart, puts
// it right.
#include "chat/storage/delivery_types.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace chat::bridge {

class DeviceStateTable {
 public:
  explicit DeviceStateTable(std::size_t capacity) : capacity_(capacity) {}

  // Never waits. False when the table is full and the device is not in it
  // (or the table is closed): the state is not kept.
  bool put(storage::DeviceState state);
  // Waits up to `wait` for states; takes up to `max` devices, in the order
  // they first changed since the last take.
  std::vector<storage::DeviceState> take(std::size_t max, std::chrono::milliseconds wait);
  // Refuses further states; what is in stays takeable.
  void close();
  bool closed() const;
  std::size_t size() const;

 private:
  static std::string key_of(const storage::DeviceState& state);

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::unordered_map<std::string, storage::DeviceState> states_;  // "uid/device" -> latest
  std::deque<std::string> order_;                                 // keys, first change first
  bool closed_ = false;
};

}  // namespace chat::bridge
