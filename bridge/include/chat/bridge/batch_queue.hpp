#pragma once
// A bounded blocking queue handed over in batches: producers (the MQTT
// callback) block while it is full, a consumer (a writer) takes up to N items
// at a time. Thread-safe.
//
// `Clock` times every wait: the timeouts, the linger and the idle gap. The
// bridge uses std::chrono::steady_clock; its waits are the condition
// variables' own. Unit tests pass a clock they move by hand, so that "the
// linger ended at its time" or "items kept coming closer than the idle gap"
// are facts of the test, not bets on the scheduler. Such a clock waits for
// its waiters itself (WaitsOnItsOwn): a condition variable waiting on a clock
// it does not know sleeps the distance in real time and cannot tell when that
// clock moves.
#include <algorithm>
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

namespace chat::bridge {

// A clock with its own `Clock::wait_until(cv, lock, deadline, ready)`, with
// the contract of std::condition_variable::wait_until with a predicate.
template <class Clock>
concept WaitsOnItsOwn = requires(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                                 typename Clock::time_point deadline, bool (*ready)()) {
  { Clock::wait_until(cv, lock, deadline, ready) } -> std::convertible_to<bool>;
};

template <class T, class Clock = std::chrono::steady_clock>
class BatchQueue {
 public:
  explicit BatchQueue(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

  // Adds an item the caller does not need back, waiting up to `timeout` while
  // the queue is full. False when it timed out or the queue is closed.
  bool push(T&& item, std::chrono::milliseconds timeout) { return offer(item, timeout); }

  // Like push(), but moves from `item` only when it returns true: when it
  // timed out or the queue is closed, `item` is left as it was, so the caller
  // can offer it again (taken by lvalue reference so that the caller never
  // reads a variable it has std::move'd).
  bool offer(T& item, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    const bool room =
        wait_until(not_full_, lock, Clock::now() + timeout, [&] { return closed_ || items_.size() < capacity_; });
    if (!room) return false;
    if (closed_) return false;
    items_.push_back({std::move(item), Clock::now()});
    not_empty_.notify_one();
    // A lingering consumer is woken only when its batch is full, not by every
    // item (at thousands of messages a second that would be a context switch
    // each).
    if (fill_target_ > 0 && items_.size() >= fill_target_) filled_.notify_one();
    return true;
  }

  // Waits up to `wait` for an item. Under load (items were already waiting
  // when the call began: the consumer is coming back from the previous batch),
  // it then waits, while fewer than `max` are there, until the oldest item has
  // been queued for `linger`. An item that reaches an idle consumer is taken at
  // once. Returns up to `max` items, in order; empty when nothing came or the
  // queue is closed and empty. The linger counts from the oldest item's
  // arrival, so a consumer that was busy for longer than `linger` does not wait
  // at all. Lingering is for a queue with one consumer (each writer has its
  // own queue).
  //
  // `idle_gap` (0: off) ends the linger early when no item arrived for that
  // long: the senders have stopped, typically because each has its window of
  // unacked messages in this batch and waits for the acks. Lingering on would
  // only add the linger to every round trip: with P senders of window W the
  // throughput is at most P·W per (linger + transaction).
  std::vector<T> pop_batch(std::size_t max, std::chrono::milliseconds wait,
                           std::chrono::milliseconds linger = std::chrono::milliseconds(0),
                           std::chrono::microseconds idle_gap = std::chrono::microseconds(0)) {
    std::vector<T> batch;
    std::unique_lock lock(mutex_);
    const bool under_load = !items_.empty();
    if (!wait_until(not_empty_, lock, Clock::now() + wait, [&] { return closed_ || !items_.empty(); })) return batch;
    if (items_.empty()) return batch;
    if (under_load && linger.count() > 0 && items_.size() < max) {
      fill_target_ = max;
      const auto until = items_.front().pushed_at + linger;
      const auto full = [&] { return closed_ || items_.size() >= max; };
      if (idle_gap.count() <= 0) {
        wait_until(filled_, lock, until, full);
      } else {
        // In slices of idle_gap: a slice in which nothing arrived ends it.
        for (;;) {
          const std::size_t before = items_.size();
          const auto slice_end = std::min(until, Clock::now() + idle_gap);
          if (wait_until(filled_, lock, slice_end, full)) break;
          if (Clock::now() >= until || items_.size() == before) break;
        }
      }
      fill_target_ = 0;
    }
    const std::size_t n = std::min(max, items_.size());
    batch.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(items_.front().item));
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
    filled_.notify_all();
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
  // The condition variable's wait, or the clock's own where it has one.
  template <class Ready>
  bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, typename Clock::time_point deadline,
                  Ready ready) {
    if constexpr (WaitsOnItsOwn<Clock>) {
      return Clock::wait_until(cv, lock, deadline, ready);
    } else {
      return cv.wait_until(lock, deadline, ready);
    }
  }

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::condition_variable filled_;  // a lingering consumer's batch is full
  struct Entry {
    T item;
    typename Clock::time_point pushed_at;  // where a batch's linger counts from
  };
  std::deque<Entry> items_;
  std::size_t fill_target_ = 0;  // the lingering consumer's max; 0: none lingers
  bool closed_ = false;
};

}  // namespace chat::bridge
