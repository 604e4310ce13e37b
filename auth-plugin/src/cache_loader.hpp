#pragma once
// The thread that keeps AuthCache current. With its own PostgreSQL session it
// LISTENs on chat_auth, loads a snapshot, then applies every notification as
// it arrives (a removed member is out of the cache milliseconds after the
// commit). After any database error it starts over: a new LISTEN and a new
// snapshot, so nothing said while it was away is missed. Until the first
// snapshot is in, the cache says it is not ready. Nothing here touches
// mosquitto: what the broker thread must do goes through the Mailbox.
#include "auth_cache.hpp"
#include "mailbox.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace chat::auth {

class CacheLoader {
 public:
  CacheLoader(std::string conninfo, AuthCache& cache, Mailbox& mailbox);
  ~CacheLoader();  // stops and joins
  CacheLoader(const CacheLoader&) = delete;
  CacheLoader& operator=(const CacheLoader&) = delete;

  void start();
  void stop() noexcept;
  // Waits until the cache is loaded or `timeout` passes; returns cache.ready().
  bool wait_ready(std::chrono::milliseconds timeout);

  bool connected() const noexcept { return connected_.load(std::memory_order_relaxed); }
  std::uint64_t changes_applied() const noexcept { return changes_.load(std::memory_order_relaxed); }
  std::uint64_t snapshots_loaded() const noexcept { return snapshots_.load(std::memory_order_relaxed); }

 private:
  void run() noexcept;
  void session(bool& loaded);
  void pause(std::chrono::milliseconds delay);

  std::string conninfo_;
  AuthCache& cache_;
  Mailbox& mailbox_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> stop_flag_{false};
  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> changes_{0};
  std::atomic<std::uint64_t> snapshots_{0};
};

}  // namespace chat::auth
