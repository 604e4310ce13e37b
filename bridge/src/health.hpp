#pragma once
// The flags /healthz answers from, set by the parts that know them.
#include <atomic>

namespace chat::bridge {

class Health {
 public:
  std::atomic<bool> session_connected{false};
  // The broker acknowledged the session's subscriptions: until then a client's
  // request or message can reach the broker before the bridge's filter does
  // and go nowhere, so the bridge does not call itself healthy.
  std::atomic<bool> session_subscribed{false};
  std::atomic<bool> publisher_connected{false};
  std::atomic<bool> db_ok{true};
  std::atomic<bool> draining{false};

  bool ok() const { return session_connected && session_subscribed && publisher_connected && db_ok && !draining; }
};

}  // namespace chat::bridge
