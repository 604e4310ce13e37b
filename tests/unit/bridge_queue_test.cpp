// The batching queue between the MQTT callback and the writers.
#include "chat/bridge/batch_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace chat::bridge {
namespace {

using namespace std::chrono_literals;

// Until a producer waits in push() for room (within 5 s): the event that
// must come before a test can say that it did not get in.
template <class T>
bool wait_for_waiting_producer(const BatchQueue<T>& queue) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (queue.waiting_producers() == 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(BridgeBatchQueue, HandsOverInOrderInBatchesOfAtMostMax) {
  BatchQueue<int> queue(100);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(queue.push(int{i}, 0ms));
  EXPECT_EQ(queue.size(), 10u);
  const auto first = queue.pop_batch(4, 0ms);
  EXPECT_EQ(first, (std::vector<int>{0, 1, 2, 3}));
  const auto rest = queue.pop_batch(100, 0ms);
  EXPECT_EQ(rest, (std::vector<int>{4, 5, 6, 7, 8, 9}));
  EXPECT_TRUE(queue.pop_batch(100, 10ms).empty());
}

TEST(BridgeBatchQueue, AFullQueueMakesTheProducerWaitAndTimesOut) {
  BatchQueue<int> queue(2);
  ASSERT_TRUE(queue.push(1, 0ms));
  ASSERT_TRUE(queue.push(2, 0ms));
  const auto before = std::chrono::steady_clock::now();
  EXPECT_FALSE(queue.push(3, 50ms));
  EXPECT_GE(std::chrono::steady_clock::now() - before, 45ms);
  EXPECT_EQ(queue.size(), 2u);
}

TEST(BridgeBatchQueue, AFailedPushLeavesTheItemIntactForTheNextTry) {
  // The MQTT callback offers the same message again after a timeout: it must
  // not have been moved from (an empty message would be lost).
  BatchQueue<std::string> queue(1);
  std::string first = "first";
  ASSERT_TRUE(queue.push(std::move(first), 0ms));
  std::string second = "second, long enough not to fit the small string buffer";
  EXPECT_FALSE(queue.offer(second, 10ms));
  EXPECT_EQ(second, "second, long enough not to fit the small string buffer");
  EXPECT_EQ(queue.pop_batch(1, 0ms), std::vector<std::string>{"first"});
  EXPECT_TRUE(queue.offer(second, 0ms));
  EXPECT_EQ(queue.pop_batch(1, 0ms),
            std::vector<std::string>{"second, long enough not to fit the small string buffer"});
}

TEST(BridgeBatchQueue, AWaitingProducerGoesOnWhenTheConsumerTakes) {
  BatchQueue<int> queue(1);
  ASSERT_TRUE(queue.push(1, 0ms));
  std::atomic<bool> pushed{false};
  std::thread producer([&] { pushed = queue.push(2, 5s); });
  ASSERT_TRUE(wait_for_waiting_producer(queue));
  EXPECT_FALSE(pushed) << "pushed into a full queue";
  EXPECT_EQ(queue.pop_batch(10, 0ms), std::vector<int>{1});
  producer.join();
  EXPECT_TRUE(pushed);
  EXPECT_EQ(queue.pop_batch(10, 1s), std::vector<int>{2});
}

TEST(BridgeBatchQueue, LingerWaitsForABatchToFill) {
  BatchQueue<int> queue(100);
  queue.push(0, 0ms);  // waiting when the consumer comes: under load
  std::thread producer([&] {
    for (int i = 1; i < 5; ++i) {
      std::this_thread::sleep_for(5ms);
      queue.push(int{i}, 1s);
    }
  });
  const auto batch = queue.pop_batch(5, 2s, 2s);
  producer.join();
  EXPECT_EQ(batch.size(), 5u);

  // Linger ends at its time even when the batch is not full.
  queue.push(1, 0ms);
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(queue.pop_batch(5, 0ms, 30ms).size(), 1u);
  EXPECT_GE(std::chrono::steady_clock::now() - before, 25ms);
}

// An item that reaches a waiting (idle) consumer is taken at once: lingering
// is for a consumer that is behind.
TEST(BridgeBatchQueue, AnIdleConsumerDoesNotLinger) {
  BatchQueue<int> queue(100);
  std::thread producer([&] {
    std::this_thread::sleep_for(20ms);
    queue.push(7, 0ms);
  });
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(queue.pop_batch(5, 5s, 5s), std::vector<int>{7});
  EXPECT_LT(std::chrono::steady_clock::now() - before, 2s);
  producer.join();
}

// Under load, a linger ends early once nothing has arrived for the idle gap:
// the senders are waiting for the acks of what is queued, and lingering on
// would only slow every round trip. With no gap the same batch waits the
// whole linger.
TEST(BridgeBatchQueue, AnIdleGapEndsTheLingerWhenArrivalsStop) {
  BatchQueue<int> queue(100);
  queue.push(1, 0ms);
  queue.push(2, 0ms);
  auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(queue.pop_batch(10, 0ms, 10s, std::chrono::microseconds(2000)), (std::vector<int>{1, 2}));
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s) << "ended by the gap, not the 10 s linger";

  queue.push(3, 0ms);
  queue.push(4, 0ms);
  before = std::chrono::steady_clock::now();
  EXPECT_EQ(queue.pop_batch(10, 0ms, 30ms), (std::vector<int>{3, 4}));
  EXPECT_GE(std::chrono::steady_clock::now() - before, 25ms) << "without a gap the linger is waited out";
}

// A clock that moves only when the test moves it, for the linger tests whose
// point is what happens while time passes: the linger's and the idle gap's
// ends are then facts of the test, not bets on the scheduler.
struct HandClock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<HandClock>;
  static constexpr bool is_steady = true;

  static time_point now() { return time_point(duration(ticks.load())); }
  static void advance(duration by) { ticks += by.count(); }

  static inline std::atomic<rep> ticks{0};
};

// Until the lingering consumer has looked at the queue at every deadline the
// hand clock has passed (or no longer lingers), within 5 s of real time; with
// `until_lingering`, first until it lingers at all.
bool wait_for_consumer_to_catch_up(const BatchQueue<int, HandClock>& queue, bool until_lingering = false) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  for (;;) {
    const auto watching_until = queue.watching_until();
    if (watching_until ? *watching_until > HandClock::now() : !until_lingering) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
}

// While items keep coming (closer than the gap), the linger goes on to its
// end, so batches under a steady load stay as large as before. An item comes
// every half gap of (hand-moved) time until the linger ends: any gap-long
// slice the consumer watches has one, so the batch must be every item that
// came before the linger's end. A consumer that stopped at a gap with
// arrivals in it would return after the first few.
TEST(BridgeBatchQueue, SteadyArrivalsKeepLingering) {
  // Small, because a wait on the hand clock also sleeps for its distance in
  // real time before it looks at the hand clock again.
  constexpr auto kGap = std::chrono::milliseconds(2);
  constexpr auto kLinger = 10 * kGap;
  BatchQueue<int, HandClock> queue(1000);
  const auto start = HandClock::now();
  ASSERT_TRUE(queue.push(0, 0ms));  // waiting when the consumer comes: under load
  std::vector<int> batch;
  std::jthread consumer([&] { batch = queue.pop_batch(1000, 0ms, kLinger, kGap); });
  // After a failed ASSERT the hand clock stands still: closing ends the linger,
  // so that the consumer can be joined.
  struct CloseOnExit {
    BatchQueue<int, HandClock>& queue;
    ~CloseOnExit() { queue.close(); }
  } close_on_exit{queue};
  // Time moves only while the consumer lingers and has looked at every
  // deadline already passed: had the test run ahead, the consumer would wake
  // once, find the linger over and never watch a gap.
  ASSERT_TRUE(wait_for_consumer_to_catch_up(queue, /*until_lingering=*/true)) << "the consumer never lingered";
  std::vector<int> pushed{0};
  for (int i = 1;; ++i) {
    HandClock::advance(kGap / 2);
    ASSERT_TRUE(wait_for_consumer_to_catch_up(queue)) << "the consumer did not wake at its deadline";
    if (HandClock::now() - start >= kLinger) break;
    ASSERT_TRUE(queue.push(int{i}, 0ms));
    pushed.push_back(i);
  }
  consumer.join();
  EXPECT_EQ(pushed.size(), 20u);
  EXPECT_EQ(batch, pushed) << "the linger ran to its end while items came every half gap";
  EXPECT_EQ(queue.size(), 0u);
}

// The linger is the oldest item's time in the queue, not the consumer's: a
// consumer that comes back late (it was storing the previous batch) does not
// wait again, and a full batch ends the wait early.
TEST(BridgeBatchQueue, LingerCountsFromTheOldestItem) {
  BatchQueue<int> queue(100);
  queue.push(1, 0ms);
  std::this_thread::sleep_for(300ms);
  queue.push(2, 0ms);
  auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(queue.pop_batch(10, 0ms, 250ms), (std::vector<int>{1, 2}));
  // Waiting again would take the whole 250 ms; the margin absorbs a loaded machine.
  EXPECT_LT(std::chrono::steady_clock::now() - before, 200ms);

  queue.push(3, 0ms);
  std::thread producer([&] {
    std::this_thread::sleep_for(20ms);
    queue.push(4, 0ms);
  });
  before = std::chrono::steady_clock::now();
  EXPECT_EQ(queue.pop_batch(2, 0ms, 5s), (std::vector<int>{3, 4}));
  EXPECT_LT(std::chrono::steady_clock::now() - before, 2s);
  producer.join();
}

TEST(BridgeBatchQueue, CloseRefusesPushesWakesWaitersAndLeavesItemsPoppable) {
  BatchQueue<int> queue(1);
  ASSERT_TRUE(queue.push(1, 0ms));
  std::atomic<bool> result{true};
  std::thread producer([&] { result = queue.push(2, 10s); });
  ASSERT_TRUE(wait_for_waiting_producer(queue));  // close() must wake it, not find it not yet come
  queue.close();
  producer.join();
  EXPECT_FALSE(result);
  EXPECT_TRUE(queue.closed());
  EXPECT_FALSE(queue.push(3, 0ms));
  EXPECT_EQ(queue.pop_batch(10, 0ms), std::vector<int>{1});
  const auto before = std::chrono::steady_clock::now();
  EXPECT_TRUE(queue.pop_batch(10, 10s).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1s);
}

}  // namespace
}  // namespace chat::bridge
