#include "chat/bridge/device_state_table.hpp"

namespace chat::bridge {

std::string DeviceStateTable::key_of(const storage::DeviceState& state) {
  return std::to_string(state.user_id) + "/" + state.device;
}

bool DeviceStateTable::put(storage::DeviceState state) {
  std::string key = key_of(state);
  {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    const auto it = states_.find(key);
    if (it != states_.end()) {
      it->second = std::move(state);
      return true;
    }
    if (states_.size() >= capacity_) return false;
    states_.emplace(key, std::move(state));
    order_.push_back(std::move(key));
  }
  not_empty_.notify_one();
  return true;
}

std::vector<storage::DeviceState> DeviceStateTable::take(std::size_t max, std::chrono::milliseconds wait) {
  std::vector<storage::DeviceState> taken;
  std::unique_lock lock(mutex_);
  if (!not_empty_.wait_for(lock, wait, [&] { return closed_ || !order_.empty(); })) return taken;
  const std::size_t n = std::min(max, order_.size());
  taken.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto it = states_.find(order_.front());
    taken.push_back(std::move(it->second));
    states_.erase(it);
    order_.pop_front();
  }
  return taken;
}

void DeviceStateTable::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  not_empty_.notify_all();
}

bool DeviceStateTable::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

std::size_t DeviceStateTable::size() const {
  std::lock_guard lock(mutex_);
  return order_.size();
}

}  // namespace chat::bridge
