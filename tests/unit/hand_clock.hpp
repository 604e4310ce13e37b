#pragma once
// A clock that moves only when the test moves it, for unit tests of timed
// rules (BatchQueue's Clock parameter): what a waiter does at a given moment
// is then a fact of the test, not a bet on the scheduler, and no test waits
// out a timeout in real time.
//
// It does its own waiting (wait_until), so that it can wake its waiters when
// it moves and tell the test when each has looked at the new time. A
// condition variable waiting on it would sleep the distance in real time
// instead.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <list>
#include <mutex>
#include <vector>

namespace chat::testing {

class HandClock {
 public:
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<HandClock>;
  static constexpr bool is_steady = true;

  static time_point now() {
    const std::lock_guard lock(state_.mutex);
    return state_.now;
  }

  // Moves the clock and returns once every waiter has looked at the new time
  // and has either gone on waiting or returned (and what its caller did
  // under its lock is done): what a test checks next is the waiters' answer
  // to the new time.
  static void advance(duration by) {
    std::unique_lock lock(state_.mutex);
    state_.now += by;
    const time_point target = state_.now;
    std::vector<Waiter> behind;  // copies: a waiter's record lives on its own stack
    for (const Waiter* waiter : state_.waiters) behind.push_back(*waiter);
    lock.unlock();
    // Under each waiter's own lock, so that one about to wait cannot miss it.
    for (const Waiter& waiter : behind) {
      const std::lock_guard waiter_lock(*waiter.mutex);
      waiter.cv->notify_all();
    }
    lock.lock();
    const bool looked = state_.looked.wait_for(lock, kRealTimeGuard, [&] {
      return std::all_of(state_.waiters.begin(), state_.waiters.end(),
                         [&](const Waiter* waiter) { return waiter->seen >= target; });
    });
    lock.unlock();
    if (!looked) ADD_FAILURE() << "a waiter did not look at the hand clock for 10 s of real time";
    // One that returned holds its lock until its caller is done with what it
    // found: taking the lock once waits for that.
    for (const Waiter& waiter : behind) {
      const std::lock_guard waiter_lock(*waiter.mutex);
    }
  }

  static std::size_t waiters() {
    const std::lock_guard lock(state_.mutex);
    return state_.waiters.size();
  }

  // Until `count` threads wait on the clock (within 10 s of real time): the
  // event a test waits for before it moves the clock or checks that they wait.
  [[nodiscard]] static bool wait_for_waiters(std::size_t count) {
    std::unique_lock lock(state_.mutex);
    return state_.looked.wait_for(lock, kRealTimeGuard, [&] { return state_.waiters.size() >= count; });
  }

  // std::condition_variable::wait_until with a predicate, on this clock.
  // A wait that nobody ends within 10 s of real time (the clock stands still
  // and nothing notifies `cv`) fails the test and returns, instead of hanging
  // it: a waiter the code under test should not have become.
  template <class Ready>
  static bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, time_point deadline,
                         Ready ready) {
    if (ready()) return true;
    Waiter self{&cv, lock.mutex(), {}};
    const auto guard = std::chrono::steady_clock::now() + kRealTimeGuard;
    bool registered = false;
    for (;;) {
      {
        const std::lock_guard clock_lock(state_.mutex);
        if (!registered) state_.waiters.push_back(&self);
        registered = true;
        self.seen = state_.now;
        state_.looked.notify_all();
        if (self.seen >= deadline) break;
      }
      if (cv.wait_until(lock, guard) == std::cv_status::timeout) {
        ADD_FAILURE() << "waited 10 s of real time on a hand clock nobody moved";
        break;
      }
      if (ready()) break;
    }
    {
      const std::lock_guard clock_lock(state_.mutex);
      state_.waiters.remove(&self);
      state_.looked.notify_all();
    }
    return ready();
  }

 private:
  static constexpr auto kRealTimeGuard = std::chrono::seconds(10);

  struct Waiter {
    std::condition_variable* cv;
    std::mutex* mutex;
    time_point seen;  // the clock's time when it last looked
  };
  struct State {
    std::mutex mutex;
    std::condition_variable looked;  // a waiter came, looked at the time or left
    time_point now;
    std::list<const Waiter*> waiters;
  };
  static inline State state_;
};

}  // namespace chat::testing
