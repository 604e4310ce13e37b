#pragma once
// One thread per process drives every MQTT client of the process: epoll over
// the clients' sockets, libmosquitto's loop_read / loop_write / loop_misc, and
// an optional tick (the messaging driver) in the same thread, so a message
// never changes threads between its schedule, its publish, its ack and the
// delivery's bookkeeping.
//
// Other threads may create clients and call their connect / subscribe /
// publish: the call is handed to the loop thread (run_sync, woken through an
// eventfd), so libmosquitto is only ever used from one thread.
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace chat::loadgen {

class MqttClient;

class EventLoop {
 public:
  // The process's loop; its thread starts on first use (a process that forks, as --request-load
  // does, forks before it creates a client).
  static EventLoop& instance();

  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  bool in_loop_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

  // Runs fn in the loop thread and waits for it (runs it at once when called from there).
  void run_sync(const std::function<void()>& fn);

  // The tick runs in the loop thread after every batch of socket events; it returns how long
  // the loop may sleep before the next tick is due. An empty function removes it.
  using Tick = std::function<std::chrono::microseconds()>;
  void set_tick(Tick tick);

  // Thread-safe: `client` has queued packets (or a new socket) for the loop to take up.
  void mark_dirty(MqttClient* client);

  // Loop thread only (a callback, say): runs fn in the loop thread after `delay`.
  void defer(std::chrono::milliseconds delay, std::function<void()> fn);

  void attach(MqttClient* client);  // both run in the loop thread (run_sync)
  void detach(MqttClient* client);

 private:
  friend class MqttClient;
  EventLoop();
  ~EventLoop();
  void run();
  void wake();
  void take_up_dirty();
  void service_timers();
  // Runs the deferred calls that are due; returns how long until the next one (or `limit`).
  std::chrono::microseconds run_deferred(std::chrono::microseconds limit);
  void register_socket(MqttClient& c);

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  bool stopping_ = false;
  std::thread thread_;
  std::vector<MqttClient*> clients_;  // the loop thread's only
  Tick tick_;                         // the loop thread's only
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::function<void()>>> deferred_;  // likewise
  std::chrono::steady_clock::time_point next_timers_{};

  std::mutex mu_;  // guards dirty_ and calls_
  std::vector<MqttClient*> dirty_;
  std::vector<std::function<void()>> calls_;
};

}  // namespace chat::loadgen
