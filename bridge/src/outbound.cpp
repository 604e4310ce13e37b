#include "outbound.hpp"

namespace chat::bridge {
namespace {

constexpr auto kWindowSlice = std::chrono::milliseconds(100);

}  // namespace

Outbound::Outbound(Send send, std::size_t client_window, BridgeMetrics& metrics)
    : send_(std::move(send)),
      client_window_(static_cast<long>(std::max<std::size_t>(client_window, 1))),
      metrics_(metrics) {}

Outbound::~Outbound() { finish(); }

void Outbound::start() {
  thread_ = std::thread([this] { run(); });
}

void Outbound::finish() {
  {
    std::lock_guard lock(mutex_);
    finishing_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Outbound::push(Item item) {
  {
    std::lock_guard lock(mutex_);
    items_.push_back(std::move(item));
  }
  wake_.notify_one();
}

void Outbound::publish(const std::string& topic, const std::string& payload, bool retained) {
  push(Item{topic, payload, 1, retained, {}});
}

void Outbound::publish_acks(AckEvent event) {
  push(Item{event_topic(event.sender), std::move(event.payload), 0, false, std::move(event.received)});
}

void Outbound::handed_over_done() {
  {
    std::lock_guard lock(window_mutex_);
    if (in_client_ > 0) --in_client_;
  }
  window_open_.notify_one();
}

void Outbound::reset_window() {
  {
    std::lock_guard lock(window_mutex_);
    in_client_ = 0;
  }
  window_open_.notify_one();
}

void Outbound::wait_for_window() {
  std::unique_lock lock(window_mutex_);
  // In slices: a completion lost with a dropped connection is made good by
  // reset_window(), which the connection handlers call.
  while (in_client_ >= client_window_) window_open_.wait_for(lock, kWindowSlice);
  ++in_client_;
}

void Outbound::run() {
  std::deque<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return finishing_ || !items_.empty(); });
      if (items_.empty()) return;  // finishing, and everything handed over
      batch.swap(items_);
      metrics_.outbound_depth.set(static_cast<double>(batch.size()));
    }
    for (const Item& item : batch) {
      wait_for_window();
      if (!send_(item.topic, item.payload, item.qos, item.retained)) {
        handed_over_done();
        metrics_.publish_errors.inc();
        continue;
      }
      if (item.received.empty()) continue;
      metrics_.acks.inc(item.received.size());
      const auto now = SteadyClock::now();
      for (const auto received : item.received) {
        metrics_.ack_latency.observe(std::chrono::duration<double>(now - received).count());
      }
    }
    batch.clear();
  }
}

}  // namespace chat::bridge
