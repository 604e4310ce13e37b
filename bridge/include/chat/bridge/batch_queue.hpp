#pragma once
// A bounded blocking queue handed over in batches: producers (the MQTT
// callback) block while it is full, a consumer (a writer) takes up to N items
// at a time. Thread-safe.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

namespace chat::bridge {

template <class T>
class BatchQueue {
 public:
  using Clock = std::chrono::steady_clock;

  explicit BatchQueue(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

  // Adds an item, waiting up to `timeout` while the queue is full. False when
  // it timed out or the queue is closed: then the item is not added and left
  // as it was (not moved from), so the caller can try again.
  bool push(T&& item, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!not_full_.wait_for(lock, timeout, [&] { return closed_ || items_.size() < capacity_; })) {
      return false;
    }
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Waits up to `wait` for an item; then, while fewer than `max` are there,
  // up to `linger` (from the first) for more. Returns up to `max` items, in
  // order; empty when nothing came or the queue is closed and empty.
  std::vector<T> pop_batch(std::size_t max, std::chrono::milliseconds wait,
                           std::chrono::milliseconds linger = std::chrono::milliseconds(0)) {
    std::vector<T> batch;
    std::unique_lock lock(mutex_);
    if (!not_empty_.wait_for(lock, wait, [&] { return closed_ || !items_.empty(); })) return batch;
    if (items_.empty()) return batch;
    if (linger.count() > 0 && items_.size() < max) {
      not_empty_.wait_for(lock, linger, [&] { return closed_ || items_.size() >= max; });
    }
    const std::size_t n = std::min(max, items_.size());
    batch.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    not_full_.notify_all();
    return batch;
  }

  // Refuses further pushes and wakes every waiter; items already in stay
  // poppable.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  std::size_t capacity() const { return capacity_; }
  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace chat::bridge
