#pragma once
// A bounded queue shared by several consumers that keeps each key's items in
// order: a consumer takes the oldest item whose key no other consumer holds,
// and holds that key until it releases it. Items of other keys pass a held
// one, so one slow item delays only the items of its own key.
//
// The bridge's request threads take requests keyed by user: one user's
// requests are served one at a time, in the order they arrived, so the
// effects they commit and the events they publish (a chat.muted after a
// mute, then after an unmute) reach the user's devices in the order of the
// commits; any number of other users' requests are served beside them.
// Thread-safe. Taking scans the queue from its oldest item, at most
// `capacity` items, under the lock.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <unordered_set>
#include <utility>

namespace chat::bridge {

template <class T, class Key>
class KeyedQueue {
 public:
  struct Taken {
    Key key;
    T item;
  };

  explicit KeyedQueue(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

  // Adds an item without waiting. False when the queue is full or closed;
  // then `item` is left as it was (taken by lvalue reference so that the
  // caller can still read what it offered).
  bool offer(const Key& key, T& item) {
    std::lock_guard lock(mutex_);
    if (closed_ || items_.size() >= capacity_) return false;
    items_.push_back({key, std::move(item)});
    ready_.notify_one();
    return true;
  }

  // Waits up to `wait` for the oldest item whose key is not held, holds its
  // key for the caller and hands the item over. The caller must release()
  // the key when it is done with the item. Nothing when the wait ran out or
  // the queue is closed and empty (a closed queue still hands over what it
  // holds, each item once its key is released).
  std::optional<Taken> take(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    auto found = items_.end();
    const auto takeable = [&] {
      found = std::find_if(items_.begin(), items_.end(), [&](const Entry& e) { return !held_.contains(e.key); });
      return found != items_.end() || (closed_ && items_.empty());
    };
    if (!ready_.wait_for(lock, wait, takeable) || found == items_.end()) return std::nullopt;
    Taken taken{std::move(found->key), std::move(found->item)};
    items_.erase(found);
    held_.insert(taken.key);
    return taken;
  }

  // Lets the next item of `key` be taken.
  void release(const Key& key) {
    std::lock_guard lock(mutex_);
    held_.erase(key);
    // Every waiter looks again: the one that can take an item of this key
    // may be any of them.
    ready_.notify_all();
  }

  // Refuses further items and wakes every waiter; items already in stay
  // takeable.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_all();
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  struct Entry {
    Key key;
    T item;
  };
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Entry> items_;
  std::unordered_set<Key> held_;
  bool closed_ = false;
};

}  // namespace chat::bridge
