#pragma once
// The acks of one transaction, grouped by sender: one `acks` event per sender
// user instead of one `ack` per message (docs/protocol.md, "Server events").
//
// Why: every event the bridge publishes costs a trip through Paho's command
// queue and send thread, a PUBLISH the broker routes, and a delivery per
// device of the sender. Under load a transaction holds many messages of the
// same sender (each device keeps a window of unacked messages), so grouping
// turns tens of publishes into one. An event stays under `max_bytes`; a
// sender with more acks than fit gets several events.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat::bridge {

struct AckEntry {
  std::int64_t chat = 0;
  std::string id;  // the sender's client message id
  std::int64_t seq = 0;
  std::int64_t ts_ms = 0;
};

// One event ready to publish on u/{sender}/ev.
struct AckEvent {
  std::int64_t sender = 0;
  std::string payload;                                          // {"ev":"acks","acks":[…]}
  std::vector<std::chrono::steady_clock::time_point> received;  // per ack: when its message arrived
};

class AckBatch {
 public:
  explicit AckBatch(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  void add(std::int64_t sender, AckEntry entry, std::chrono::steady_clock::time_point received);
  bool empty() const { return senders_.empty(); }
  std::size_t size() const { return count_; }
  // The events, senders in order of their first ack, acks in the order added;
  // empties the batch.
  std::vector<AckEvent> take();

 private:
  struct Pending {
    std::int64_t sender;
    std::vector<AckEntry> entries;
    std::vector<std::chrono::steady_clock::time_point> received;
  };
  std::size_t max_bytes_;
  std::size_t count_ = 0;
  std::vector<Pending> senders_;
};

}  // namespace chat::bridge
