#include "event_loop.hpp"

#include "mqtt_client.hpp"

#include <mosquitto.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <stdexcept>
#include <string>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace chat::loadgen {
namespace {

// Keepalive pings and reconnect timers need no finer clock than this.
constexpr auto kTimerPeriod = std::chrono::milliseconds(100);

}  // namespace

EventLoop& EventLoop::instance() {
  // Never destroyed: clients may outlive main's locals during exit, and the thread
  // only sleeps in epoll_wait when nothing is left to do.
  static auto* loop = new EventLoop();
  return *loop;
}

EventLoop::EventLoop() {
  mosquitto_lib_init();
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) throw std::runtime_error(std::string("epoll/eventfd: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // nullptr: the wake-up eventfd
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  thread_ = std::thread([this] { run(); });
}

EventLoop::~EventLoop() {
  run_sync([this] { stopping_ = true; });
  thread_.join();
  close(wake_fd_);
  close(epoll_fd_);
}

void EventLoop::wake() {
  const std::uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
}

void EventLoop::run_sync(const std::function<void()>& fn) {
  if (in_loop_thread()) {
    fn();
    return;
  }
  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;
  {
    std::lock_guard lock(mu_);
    calls_.emplace_back([&] {
      fn();
      std::lock_guard done_lock(done_mu);
      done = true;
      done_cv.notify_one();
    });
  }
  wake();
  std::unique_lock lock(done_mu);
  done_cv.wait(lock, [&] { return done; });
}

void EventLoop::set_tick(Tick tick) {
  run_sync([&] { tick_ = std::move(tick); });
}

void EventLoop::mark_dirty(MqttClient* client) {
  if (client->dirty_.exchange(true)) return;
  {
    std::lock_guard lock(mu_);
    dirty_.push_back(client);
  }
  if (!in_loop_thread()) wake();
}

void EventLoop::attach(MqttClient* client) { clients_.push_back(client); }

void EventLoop::defer(std::chrono::milliseconds delay, std::function<void()> fn) {
  deferred_.emplace_back(std::chrono::steady_clock::now() + delay, std::move(fn));
}

std::chrono::microseconds EventLoop::run_deferred(std::chrono::microseconds limit) {
  if (deferred_.empty()) return limit;
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::function<void()>> due;
  auto next = now + limit;
  for (auto it = deferred_.begin(); it != deferred_.end();) {
    if (it->first <= now) {
      due.push_back(std::move(it->second));
      it = deferred_.erase(it);
    } else {
      next = std::min(next, it->first);
      ++it;
    }
  }
  for (auto& fn : due) fn();  // may defer again
  return std::chrono::duration_cast<std::chrono::microseconds>(next - now);
}

void EventLoop::detach(MqttClient* client) {
  std::erase(clients_, client);
  std::lock_guard lock(mu_);
  std::erase(dirty_, client);
}

// A client's socket changes with every (re)connect: follow it.
void EventLoop::register_socket(MqttClient& c) {
  const int fd = c.mosq_ != nullptr ? mosquitto_socket(c.mosq_) : -1;
  if (fd == c.registered_fd_) return;
  c.registered_fd_ = fd;
  c.want_out_ = false;
  if (fd < 0) return;  // the old socket closed itself out of the epoll set
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &c;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
  }
}

void EventLoop::take_up_dirty() {
  std::vector<MqttClient*> dirty;
  std::vector<std::function<void()>> calls;
  {
    std::lock_guard lock(mu_);
    dirty.swap(dirty_);
    calls.swap(calls_);
  }
  for (auto* c : dirty) {
    c->dirty_.store(false);
    register_socket(*c);
    c->flush();
  }
  for (auto& call : calls) call();
}

void EventLoop::service_timers() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_timers_) return;
  next_timers_ = now + kTimerPeriod;
  for (auto* c : clients_) {
    c->timers(now);
    register_socket(*c);
  }
}

void EventLoop::run() {
  std::array<epoll_event, 256> events{};
  timespec timeout{};
  while (!stopping_) {
    // epoll_pwait2: a microsecond timeout, so a fixed-rate schedule wakes when a message is due
    // rather than polling through the last millisecond.
    const int n = epoll_pwait2(epoll_fd_, events.data(), static_cast<int>(events.size()), &timeout, nullptr);
    for (std::size_t i = 0; i < static_cast<std::size_t>(std::max(n, 0)); ++i) {
      auto* c = static_cast<MqttClient*>(events[i].data.ptr);
      if (c == nullptr) {
        std::uint64_t count = 0;
        (void)!read(wake_fd_, &count, sizeof count);
        continue;
      }
      if ((events[i].events & EPOLLOUT) != 0) c->writable();
      if ((events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) c->readable();
    }
    take_up_dirty();
    service_timers();
    auto sleep = std::chrono::microseconds(std::chrono::duration_cast<std::chrono::microseconds>(kTimerPeriod));
    if (tick_) sleep = std::min(sleep, tick_());
    sleep = std::min(sleep, run_deferred(sleep));
    take_up_dirty();  // what the tick and the deferred calls published goes out now, not after the next wait
    timeout.tv_sec = static_cast<time_t>(sleep.count() / 1000000);
    timeout.tv_nsec = static_cast<long>(sleep.count() % 1000000) * 1000;
  }
}

}  // namespace chat::loadgen
