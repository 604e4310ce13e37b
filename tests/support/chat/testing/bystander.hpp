#pragma once
// A bystander: devices of ordinary users that publish QoS 1 chat messages at
// a steady rate while something else happens (an attack, an overload), and
// measure each PUBACK's latency. A test opens a window, does its thing, and
// closes the window: it gets the ids of the messages published in it, which
// of them each device had acked, in order, to check that every one of them was
// stored exactly once and in that order, and the latency samples. Each
// publish waits for its PUBACK (a guard of kPubackGuard against a hang, not
// a bound on speed): tests assert what was acked and stored, never how fast;
// the latencies are for benchmarks (scripts/bench-hostile) and information.
//
// The devices publish in turn from one thread, on raw connections, each to
// its own topic; spread over several users the rate stays within the
// per-user publish limit of the auth plugin.
#include "chat/testing/raw_mqtt_client.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace chat::testing {

struct BystanderDevice {
  RawConnect sign_in;  // a valid sign-in of its user
  std::string topic;   // where it publishes its messages
};

struct BystanderWindow {
  std::vector<double> latencies_ms;             // one per PUBACK received, in order
  std::vector<std::string> ids;                 // the message ids published
  std::vector<std::vector<std::string>> acked;  // per device, the ids it had acked (reason 0), in order
  std::size_t failures = 0;                     // publishes refused, or not acked within kPubackGuard
  double percentile_ms(double p) const;         // 0 when there are no samples
};

// How long one publish may wait for its PUBACK before it counts as a failure:
// a guard against a hung broker, far beyond any stall an attack may cause
// under sanitizers on a loaded machine. Not a latency bound.
inline constexpr std::chrono::seconds kPubackGuard{60};

class Bystander {
 public:
  // `payload(id)` makes the message published under that id.
  Bystander(std::uint16_t port, std::vector<BystanderDevice> devices, double messages_per_s,
            std::function<std::string(const std::string& id)> payload);
  ~Bystander();
  Bystander(const Bystander&) = delete;
  Bystander& operator=(const Bystander&) = delete;

  // Starts publishing; message ids are `{prefix}-{n}`.
  void open_window(const std::string& prefix);
  std::size_t samples() const;
  // Blocks until the open window holds at least `count` samples (or `timeout`,
  // a guard against a hang, passed).
  bool wait_samples(std::size_t count, std::chrono::milliseconds timeout) const;
  // Stops publishing and hands over what the window saw.
  BystanderWindow close_window();

 private:
  void run();

  std::uint16_t port_;
  std::vector<BystanderDevice> devices_;
  std::chrono::nanoseconds interval_;
  std::function<std::string(const std::string&)> payload_;
  std::vector<std::unique_ptr<RawMqttClient>> clients_;  // the thread's alone

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool publishing_ = false;
  bool stopping_ = false;
  std::string prefix_;
  std::uint64_t next_ = 0;
  BystanderWindow window_;
  std::thread thread_;
};

}  // namespace chat::testing
