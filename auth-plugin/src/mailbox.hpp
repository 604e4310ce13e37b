#pragma once
// What the cache loader's thread has for the broker thread: log lines (the
// broker's logging is not thread-safe), users to disconnect, passwords to
// forget, users whose earlier sign-ins were revoked. The broker thread drains it on TICK and before each sign-in; an
// atomic flag keeps the empty case to one load.
#include "identity.hpp"

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace chat::auth {

struct MailItem {
  // forget_all_passwords: the cache was reloaded after the database was away;
  // password changes made meanwhile were not heard.
  // end_sessions: the user's tokens were revoked or its password changed: its
  // open connections signed in with credentials that no longer hold (`text`
  // is the username when the announcement named one).
  enum class Kind { log_info, log_warning, refuse_user, forget_password, forget_all_passwords, end_sessions };
  Kind kind = Kind::log_info;
  Uid uid = 0;
  std::string text;  // the log line, or the username
};

class Mailbox {
 public:
  void post(MailItem item) {
    const std::lock_guard lock(mutex_);
    items_.push_back(std::move(item));
    pending_.store(true, std::memory_order_release);
  }
  bool pending() const noexcept { return pending_.load(std::memory_order_acquire); }
  std::vector<MailItem> take() {
    std::vector<MailItem> out;
    const std::lock_guard lock(mutex_);
    out.swap(items_);
    pending_.store(false, std::memory_order_release);
    return out;
  }

 private:
  std::mutex mutex_;
  std::vector<MailItem> items_;
  std::atomic<bool> pending_{false};
};

}  // namespace chat::auth
