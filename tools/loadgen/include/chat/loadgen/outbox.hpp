#pragma once
// One device's unacknowledged messages: the contract's client rule ("keep
// unacked messages and publish them again, same id, after a reconnect") and
// the bounded in-flight window of the load generator in one structure.
//
// A message enters when it is first published and leaves when its ack arrives
// (the bridge's `ack` event on the platform; the broker's PUBACK in plain mode;
// for QoS 0 the moment libmosquitto wrote it). Not thread-safe: the caller serialises.
//
// Each message carries two times. Its intended send time (the fixed-rate
// schedule's due time, or the moment of the first publish in the closed loop)
// is what a user's latency counts from, including any wait for room in the
// window. Its publish time (when it was first handed to the broker, inside the
// window) is what the broker and, on the platform, the bridge and database
// add: under overload the first grows with the senders' backlog, the second
// must not.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace chat::loadgen {

// When a message was meant to go and when it went (µs); a resend keeps both.
struct SendTimes {
  std::uint64_t intended_us = 0;
  std::uint64_t published_us = 0;
  // How long it waited at the sender for a place in the window.
  std::uint64_t outbox_wait_us() const { return published_us > intended_us ? published_us - intended_us : 0; }
};

struct Pending {
  std::uint64_t n = 0;  // the device's message number (part of the id)
  std::string topic;
  std::string payload;         // kept byte for byte: a resend carries the same id and ts
  SendTimes times;             // latency counts from these, whatever the resends
  std::uint32_t attempts = 0;  // publishes handed to the client library
  bool in_flight = false;      // false: must be (re)published
};

class Outbox {
 public:
  explicit Outbox(std::size_t window) : window_(window) {}

  std::size_t window() const { return window_; }
  std::size_t size() const { return pending_.size(); }
  bool empty() const { return pending_.empty(); }
  bool has_room() const { return pending_.size() < window_; }

  // Adds message n, about to be published for the first time (in flight) at published_us,
  // intended for intended_us (<= published_us when it waited for room in the window).
  // Returns false (and adds nothing) when the window is full or n is already pending.
  bool add(std::uint64_t n, std::string topic, std::string payload, std::uint64_t intended_us,
           std::uint64_t published_us);
  // Published when intended (the closed loop, a synchronous sender).
  bool add(std::uint64_t n, std::string topic, std::string payload, std::uint64_t now_us) {
    return add(n, std::move(topic), std::move(payload), now_us, now_us);
  }

  // The ack for n: removes it and returns its times. nullopt when n is
  // not pending (an ack for a message already acked, or never sent): counted.
  std::optional<SendTimes> ack(std::uint64_t n);

  // The publish of n failed before reaching the broker (client library refused it,
  // connection gone): it stays pending and is handed out again by take_unsent().
  void mark_unsent(std::uint64_t n);

  // The connection was lost: every pending message must be published again.
  void connection_lost();

  // The messages to (re)publish now, in number order; each is marked in flight and
  // its attempt count raised. Copies, so the caller can publish without holding a lock.
  std::vector<Pending> take_unsent();

  std::uint64_t resends() const { return resends_; }
  std::uint64_t unknown_acks() const { return unknown_acks_; }
  std::uint64_t unsent() const { return unsent_; }

 private:
  std::size_t window_;
  std::map<std::uint64_t, Pending> pending_;
  std::uint64_t unsent_ = 0;  // entries with in_flight == false
  std::uint64_t resends_ = 0;
  std::uint64_t unknown_acks_ = 0;
};

}  // namespace chat::loadgen
