#pragma once
// Holds a PasswordVerifier's mutex on a thread of its own, as a checking
// thread preempted at idle priority inside it would, until released: the
// broker's side must not wait for it.
#include "password_verifier.hpp"

#include <future>
#include <mutex>
#include <thread>

namespace chat::auth {

struct PasswordVerifierTestAccess {
  static std::mutex& mutex(PasswordVerifier& verifier) { return verifier.mutex_; }
};

class HeldVerifierLock {
 public:
  explicit HeldVerifierLock(PasswordVerifier& verifier) {
    std::promise<void> held;
    auto is_held = held.get_future();
    holder_ = std::thread([&verifier, &held, released = release_.get_future()]() mutable {
      const std::lock_guard lock(PasswordVerifierTestAccess::mutex(verifier));
      held.set_value();
      released.wait();
    });
    is_held.wait();
  }
  ~HeldVerifierLock() { release(); }
  HeldVerifierLock(const HeldVerifierLock&) = delete;
  HeldVerifierLock& operator=(const HeldVerifierLock&) = delete;

  void release() {
    if (!holder_.joinable()) return;
    release_.set_value();
    holder_.join();
  }

 private:
  std::promise<void> release_;
  std::thread holder_;
};

}  // namespace chat::auth
