#pragma once
// Loss and duplicate accounting.
//
// Every message is known by (sending client, n) — on the wire (`from`, `id`):
// `from` and the id's device index give the sending client, the id's number
// gives n. The tracker records each first send with its destination, and each
// delivery per receiving client in a bitmap per (receiver, sender) pair:
// a delivery whose bit is already set is a duplicate (the recipient would drop
// it by (`from`, `id`)). At the end, every (message, expected recipient) pair
// without its bit is a loss, and a delivery to a client that was not a
// recipient is "unexpected". Not thread-safe: the caller serialises.
#include <cstdint>
#include <functional>
#include <span>
#include <unordered_map>
#include <vector>

namespace chat::loadgen {

enum class Delivery : std::uint8_t {
  first,      // counted, its latency is a sample
  duplicate,  // this receiver had it already
  unknown,    // the sender never sent that number in this run
};

struct DeliveryCounts {
  std::uint64_t messages = 0;    // distinct messages sent
  std::uint64_t expected = 0;    // (message, recipient) pairs
  std::uint64_t delivered = 0;   // distinct (message, receiver) pairs received and expected
  std::uint64_t lost = 0;        // expected - delivered
  std::uint64_t duplicates = 0;  // deliveries beyond the first per (message, receiver)
  std::uint64_t unexpected = 0;  // distinct deliveries to a client that was no recipient
  std::uint64_t unknown = 0;     // deliveries of numbers never sent
};

class DeliveryTracker {
 public:
  // The recipients of a destination (as Population::recipients gives them).
  using Recipients = std::function<std::span<const std::uint32_t>(std::uint32_t dest)>;

  // no_local: the sending client is not a recipient of its own messages (MQTT 5
  // subscriptions with No Local); its other devices still are.
  explicit DeliveryTracker(Recipients recipients, bool no_local = false)
      : recipients_(std::move(recipients)), no_local_(no_local) {}

  // First publish of message n of `sender` to `dest`. Numbers of one sender are
  // expected dense from 0 (they may arrive out of order). Returns the number of
  // recipients it adds to the expectation; 0 when n was already recorded.
  std::size_t sent(std::uint32_t sender, std::uint64_t n, std::uint32_t dest);

  Delivery received(std::uint32_t receiver, std::uint32_t sender, std::uint64_t n);

  // Running totals, cheap: expected and first deliveries so far.
  std::uint64_t expected() const { return expected_; }
  std::uint64_t firsts() const { return firsts_; }
  std::uint64_t duplicates() const { return duplicates_; }

  // The full reconciliation (walks every expected pair). `lost_examples` gets up to
  // `max_examples` (sender, n, receiver) triples of lost deliveries, for the report.
  struct Lost {
    std::uint32_t sender;
    std::uint64_t n;
    std::uint32_t receiver;
  };
  DeliveryCounts reconcile(std::vector<Lost>* lost_examples = nullptr, std::size_t max_examples = 5) const;

 private:
  static constexpr std::uint32_t kNoDest = 0xffffffffu;

  static std::uint64_t pair_key(std::uint32_t receiver, std::uint32_t sender) {
    return (static_cast<std::uint64_t>(receiver) << 32) | sender;
  }
  static bool test(const std::vector<std::uint64_t>& bits, std::uint64_t n);

  bool expects(std::uint32_t receiver, std::uint32_t sender) const { return !no_local_ || receiver != sender; }

  Recipients recipients_;
  bool no_local_ = false;
  std::vector<std::vector<std::uint32_t>> dest_;                        // per sender, per n: destination or kNoDest
  std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> seen_;  // (receiver, sender) -> bitmap over n
  std::uint64_t messages_ = 0;
  std::uint64_t expected_ = 0;
  std::uint64_t firsts_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t unknown_ = 0;
};

}  // namespace chat::loadgen
