// The batching queue between the MQTT callback and the writers. Its timed
// rules (timeouts, the linger, the idle gap) run on a hand-moved clock: a
// test moves time to just before a deadline, sees the waiter still waiting,
// moves it the last nanosecond and sees it return. Nothing here measures
// real time.
#include "chat/bridge/batch_queue.hpp"

#include "hand_clock.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace chat::bridge {
namespace {

using namespace std::chrono_literals;
using chat::testing::HandClock;
using HandQueue = BatchQueue<int, HandClock>;

// Moves the hand clock to a nanosecond before `wait` has passed, checks that
// the one waiter still waits, then moves it the last nanosecond.
void advance_through(std::chrono::nanoseconds wait, const char* early) {
  HandClock::advance(wait - 1ns);
  EXPECT_EQ(HandClock::waiters(), 1u) << early;
  HandClock::advance(1ns);
}

TEST(BridgeBatchQueue, HandsOverInOrderInBatchesOfAtMostMax) {
  BatchQueue<int> queue(100);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(queue.push(int{i}, 0ms));
  EXPECT_EQ(queue.size(), 10u);
  const auto first = queue.pop_batch(4, 0ms);
  EXPECT_EQ(first, (std::vector<int>{0, 1, 2, 3}));
  const auto rest = queue.pop_batch(100, 0ms);
  EXPECT_EQ(rest, (std::vector<int>{4, 5, 6, 7, 8, 9}));
  EXPECT_TRUE(queue.pop_batch(100, 0ms).empty());
}

TEST(BridgeBatchQueue, AConsumerOfAnEmptyQueueWaitsItsWaitAndTakesNothing) {
  HandQueue queue(100);
  std::vector<int> batch{-1};
  std::jthread consumer([&] { batch = queue.pop_batch(100, 10ms); });
  ASSERT_TRUE(HandClock::wait_for_waiters(1));
  advance_through(10ms, "gave up before its wait was over");
  consumer.join();
  EXPECT_TRUE(batch.empty());
}

TEST(BridgeBatchQueue, AFullQueueMakesTheProducerWaitAndTimesOut) {
  HandQueue queue(2);
  ASSERT_TRUE(queue.push(1, 0ms));
  ASSERT_TRUE(queue.push(2, 0ms));
  std::atomic<bool> pushed{true};
  std::jthread producer([&] { pushed = queue.push(3, 50ms); });
  ASSERT_TRUE(HandClock::wait_for_waiters(1));
  advance_through(50ms, "gave up before its timeout");
  producer.join();
  EXPECT_FALSE(pushed);
  EXPECT_EQ(queue.size(), 2u);
}

TEST(BridgeBatchQueue, AFailedPushLeavesTheItemIntactForTheNextTry) {
  // The MQTT callback offers the same message again after a timeout: it must
  // not have been moved from (an empty message would be lost).
  BatchQueue<std::string> queue(1);
  std::string first = "first";
  ASSERT_TRUE(queue.push(std::move(first), 0ms));
  std::string second = "second, long enough not to fit the small string buffer";
  EXPECT_FALSE(queue.offer(second, 0ms));
  EXPECT_EQ(second, "second, long enough not to fit the small string buffer");
  EXPECT_EQ(queue.pop_batch(1, 0ms), std::vector<std::string>{"first"});
  EXPECT_TRUE(queue.offer(second, 0ms));
  EXPECT_EQ(queue.pop_batch(1, 0ms),
            std::vector<std::string>{"second, long enough not to fit the small string buffer"});
}

// The clock stands still in this test: only the consumer's take can let the
// producer in.
TEST(BridgeBatchQueue, AWaitingProducerGoesOnWhenTheConsumerTakes) {
  HandQueue queue(1);
  ASSERT_TRUE(queue.push(1, 0ms));
  std::atomic<bool> pushed{false};
  std::jthread producer([&] { pushed = queue.push(2, 5s); });
  ASSERT_TRUE(HandClock::wait_for_waiters(1));
  EXPECT_FALSE(pushed) << "pushed into a full queue";
  EXPECT_EQ(queue.pop_batch(10, 0ms), std::vector<int>{1});
  producer.join();
  EXPECT_TRUE(pushed);
  EXPECT_EQ(queue.pop_batch(10, 0ms), std::vector<int>{2});
}

// The clock stands still: only a full batch can end the linger.
TEST(BridgeBatchQueue, LingerWaitsForABatchToFill) {
  HandQueue queue(100);
  ASSERT_TRUE(queue.push(0, 0ms));  // waiting when the consumer comes: under load
  std::vector<int> batch;
  std::jthread consumer([&] { batch = queue.pop_batch(5, 2s, 2s); });
  ASSERT_TRUE(HandClock::wait_for_waiters(1)) << "the consumer never lingered";
  for (int i = 1; i < 5; ++i) ASSERT_TRUE(queue.push(int{i}, 0ms));
  consumer.join();
  EXPECT_EQ(batch, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(BridgeBatchQueue, LingerEndsAtItsTimeWhenTheBatchDoesNotFill) {
  HandQueue queue(100);
  ASSERT_TRUE(queue.push(1, 0ms));
  std::vector<int> batch;
  std::jthread consumer([&] { batch = queue.pop_batch(5, 0ms, 30ms); });
  ASSERT_TRUE(HandClock::wait_for_waiters(1)) << "the consumer never lingered";
  advance_through(30ms, "the linger ended early");
  consumer.join();
  EXPECT_EQ(batch, std::vector<int>{1});
}

// An item that reaches a waiting (idle) consumer is taken at once: lingering
// is for a consumer that is behind. The clock stands still, so a consumer
// that lingered would not return (and the hand clock would fail the test).
TEST(BridgeBatchQueue, AnIdleConsumerDoesNotLinger) {
  HandQueue queue(100);
  std::vector<int> batch;
  std::jthread consumer([&] { batch = queue.pop_batch(5, 5s, 5s); });
  ASSERT_TRUE(HandClock::wait_for_waiters(1));  // waiting for an item: idle
  ASSERT_TRUE(queue.push(7, 0ms));
  consumer.join();
  EXPECT_EQ(batch, std::vector<int>{7});
}

// Under load, a linger ends early once nothing has arrived for the idle gap:
// the senders are waiting for the acks of what is queued, and lingering on
// would only slow every round trip. With no gap the same batch waits the
// whole linger.
TEST(BridgeBatchQueue, AnIdleGapEndsTheLingerWhenArrivalsStop) {
  HandQueue queue(100);
  ASSERT_TRUE(queue.push(1, 0ms));
  ASSERT_TRUE(queue.push(2, 0ms));
  {
    std::vector<int> batch;
    std::jthread consumer([&] { batch = queue.pop_batch(10, 0ms, 10s, 2ms); });
    ASSERT_TRUE(HandClock::wait_for_waiters(1)) << "the consumer never lingered";
    advance_through(2ms, "ended before a whole gap without arrivals");
    consumer.join();
    EXPECT_EQ(batch, (std::vector<int>{1, 2})) << "ended by the gap, 2 ms into the 10 s linger";
  }

  ASSERT_TRUE(queue.push(3, 0ms));
  ASSERT_TRUE(queue.push(4, 0ms));
  std::vector<int> batch;
  std::jthread consumer([&] { batch = queue.pop_batch(10, 0ms, 30ms); });
  ASSERT_TRUE(HandClock::wait_for_waiters(1)) << "the consumer never lingered";
  advance_through(30ms, "without a gap the linger is waited out");
  consumer.join();
  EXPECT_EQ(batch, (std::vector<int>{3, 4}));
}

// While items keep coming (closer than the gap), the linger goes on to its
// end, so batches under a steady load stay as large as before. An item comes
// every half gap until the linger ends: any gap-long slice the consumer
// watches has one, so the batch must be every item that came before the
// linger's end. A consumer that stopped at a gap with arrivals in it would
// return after the first few.
TEST(BridgeBatchQueue, SteadyArrivalsKeepLingering) {
  constexpr auto kGap = 2ms;
  constexpr auto kLinger = 10 * kGap;
  HandQueue queue(1000);
  const auto start = HandClock::now();
  ASSERT_TRUE(queue.push(0, 0ms));  // waiting when the consumer comes: under load
  std::vector<int> batch;
  std::jthread consumer([&] { batch = queue.pop_batch(1000, 0ms, kLinger, kGap); });
  ASSERT_TRUE(HandClock::wait_for_waiters(1)) << "the consumer never lingered";
  std::vector<int> pushed{0};
  for (int i = 1;; ++i) {
    HandClock::advance(kGap / 2);
    if (HandClock::now() - start >= kLinger) break;
    ASSERT_EQ(HandClock::waiters(), 1u) << "the linger ended " << (HandClock::now() - start).count()
                                        << " ns in while items came every half gap";
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
// wait again (on a clock that stands still, a wait would never end), and a
// full batch ends the wait early.
TEST(BridgeBatchQueue, LingerCountsFromTheOldestItem) {
  HandQueue queue(100);
  ASSERT_TRUE(queue.push(1, 0ms));
  HandClock::advance(300ms);
  ASSERT_TRUE(queue.push(2, 0ms));
  EXPECT_EQ(queue.pop_batch(10, 0ms, 250ms), (std::vector<int>{1, 2}));

  ASSERT_TRUE(queue.push(3, 0ms));
  std::vector<int> batch;
  std::jthread consumer([&] { batch = queue.pop_batch(2, 0ms, 5s); });
  ASSERT_TRUE(HandClock::wait_for_waiters(1)) << "the consumer never lingered";
  ASSERT_TRUE(queue.push(4, 0ms));
  consumer.join();
  EXPECT_EQ(batch, (std::vector<int>{3, 4}));
}

// The clock stands still: only close() can end the producer's wait, and a
// consumer of the closed, empty queue must not wait at all.
TEST(BridgeBatchQueue, CloseRefusesPushesWakesWaitersAndLeavesItemsPoppable) {
  HandQueue queue(1);
  ASSERT_TRUE(queue.push(1, 0ms));
  std::atomic<bool> result{true};
  std::jthread producer([&] { result = queue.push(2, 10s); });
  ASSERT_TRUE(HandClock::wait_for_waiters(1));  // close() must wake it, not find it not yet come
  queue.close();
  producer.join();
  EXPECT_FALSE(result);
  EXPECT_TRUE(queue.closed());
  EXPECT_FALSE(queue.push(3, 0ms));
  EXPECT_EQ(queue.pop_batch(10, 0ms), std::vector<int>{1});
  EXPECT_TRUE(queue.pop_batch(10, 10s).empty());
}

}  // namespace
}  // namespace chat::bridge
