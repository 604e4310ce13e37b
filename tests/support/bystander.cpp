#include "chat/testing/bystander.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace chat::testing {

double BystanderWindow::percentile_ms(double p) const {
  if (latencies_ms.empty()) return 0;
  std::vector<double> sorted = latencies_ms;
  std::sort(sorted.begin(), sorted.end());
  // Nearest rank: the smallest sample that at least p% of the samples do not exceed.
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

Bystander::Bystander(std::uint16_t port, std::vector<BystanderDevice> devices, double messages_per_s,
                     std::function<std::string(const std::string& id)> payload)
    : port_(port),
      devices_(std::move(devices)),
      interval_(std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / messages_per_s))),
      payload_(std::move(payload)) {
  for (const auto& device : devices_) {
    auto client = std::make_unique<RawMqttClient>(port_);
    if (const int code = client->connect(device.sign_in); code != 0) {
      throw std::runtime_error("bystander " + device.sign_in.client_id + " refused: " + std::to_string(code));
    }
    clients_.push_back(std::move(client));
  }
  thread_ = std::thread([this] { run(); });
}

Bystander::~Bystander() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void Bystander::open_window(const std::string& prefix) {
  {
    std::lock_guard lock(mutex_);
    prefix_ = prefix;
    window_ = {};
    window_.acked.resize(devices_.size());
    publishing_ = true;
  }
  changed_.notify_all();
}

std::size_t Bystander::samples() const {
  std::lock_guard lock(mutex_);
  return window_.latencies_ms.size();
}

bool Bystander::wait_samples(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return window_.latencies_ms.size() >= count; });
}

BystanderWindow Bystander::close_window() {
  std::unique_lock lock(mutex_);
  publishing_ = false;
  changed_.notify_all();
  // The thread finishes the publish it is in before the window is handed over.
  changed_.wait(lock, [&] { return window_.ids.size() == window_.latencies_ms.size() + window_.failures; });
  return std::move(window_);
}

void Bystander::run() {
  std::size_t turn = 0;
  auto next_at = std::chrono::steady_clock::now();
  while (true) {
    std::string id;
    {
      std::unique_lock lock(mutex_);
      if (!publishing_) {
        changed_.wait(lock, [&] { return publishing_ || stopping_; });
        next_at = std::chrono::steady_clock::now();
      }
      if (stopping_) return;
      id = prefix_ + "-" + std::to_string(++next_);
      window_.ids.push_back(id);
    }
    // A steady schedule: a late publish does not push the ones after it back,
    // so a stall shows up in the latencies instead of lowering the rate.
    std::this_thread::sleep_until(next_at);
    next_at += interval_;
    const std::size_t device_index = turn;
    auto& client = *clients_[turn];
    const auto& device = devices_[turn];
    turn = (turn + 1) % clients_.size();

    const auto started = std::chrono::steady_clock::now();
    const int code = client.publish(device.topic, payload_(id), 1, false, kPubackGuard);
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
    {
      std::lock_guard lock(mutex_);
      if (code == 0) {
        window_.latencies_ms.push_back(took.count());
        window_.acked[device_index].push_back(id);
      } else {
        ++window_.failures;
      }
    }
    changed_.notify_all();
    // Events the bridge or plugin sent to the device are not read otherwise.
    while (client.next_publish(std::chrono::milliseconds(0))) {
    }
  }
}

}  // namespace chat::testing
