// The request threads' queue: the oldest item whose key nobody holds is
// taken next, a key's items come out in order and one at a time, other keys
// pass a held one, and a closed queue still hands over what it holds. The
// waits here are for events another thread must cause (a release, an item);
// no test waits on time to see that nothing happened: a take that must find
// nothing is made with a zero wait.
#include "chat/bridge/keyed_queue.hpp"

#include <gtest/gtest.h>

#include <future>
#include <initializer_list>
#include <string>

namespace chat::bridge {
namespace {

using namespace std::chrono_literals;
using Queue = KeyedQueue<std::string, int>;

std::string take_item(Queue& queue) {
  auto taken = queue.take(0ms);
  return taken ? taken->item : "(nothing)";
}

void offer_all(Queue& queue, std::initializer_list<std::pair<int, const char*>> items) {
  for (const auto& [key, text] : items) {
    std::string item = text;
    ASSERT_TRUE(queue.offer(key, item));
  }
}

// A take on another thread that waits for the item another step must make takeable.
std::future<std::string> take_later(Queue& queue) {
  return std::async(std::launch::async, [&queue] {
    auto taken = queue.take(60s);
    return taken ? taken->item : std::string("(nothing)");
  });
}

TEST(BridgeKeyedQueue, TakesInArrivalOrderWhileNoKeyIsHeld) {
  Queue queue(10);
  offer_all(queue, {{1, "a"}, {2, "b"}, {3, "c"}});
  auto first = queue.take(0ms);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->key, 1);
  EXPECT_EQ(first->item, "a");
  EXPECT_EQ(take_item(queue), "b");
  EXPECT_EQ(take_item(queue), "c");
  EXPECT_EQ(take_item(queue), "(nothing)");
}

TEST(BridgeKeyedQueue, AHeldKeysItemsWaitAndOtherKeysPassThem) {
  Queue queue(10);
  offer_all(queue, {{1, "1a"}, {1, "1b"}, {2, "2a"}, {1, "1c"}, {2, "2b"}});
  EXPECT_EQ(take_item(queue), "1a");  // key 1 held from here
  EXPECT_EQ(take_item(queue), "2a");  // passes 1b; key 2 held too
  EXPECT_EQ(take_item(queue), "(nothing)") << "both keys are held";
  queue.release(2);
  EXPECT_EQ(take_item(queue), "2b");
  queue.release(1);
  EXPECT_EQ(take_item(queue), "1b") << "key 1's items in the order offered";
  EXPECT_EQ(take_item(queue), "(nothing)");
  queue.release(1);
  EXPECT_EQ(take_item(queue), "1c");
  EXPECT_EQ(queue.size(), 0u);
}

TEST(BridgeKeyedQueue, AReleaseWakesAWaiterForThatKeysNextItem) {
  Queue queue(10);
  offer_all(queue, {{7, "a"}, {7, "b"}});
  EXPECT_EQ(take_item(queue), "a");
  auto waiter = take_later(queue);
  queue.release(7);
  EXPECT_EQ(waiter.get(), "b");
}

TEST(BridgeKeyedQueue, AnOfferWakesAWaiter) {
  Queue queue(10);
  auto waiter = take_later(queue);
  std::string item = "late";
  ASSERT_TRUE(queue.offer(1, item));
  EXPECT_EQ(waiter.get(), "late");
}

TEST(BridgeKeyedQueue, AFullOrClosedQueueRefusesAndLeavesTheItem) {
  Queue queue(2);
  offer_all(queue, {{1, "a"}, {2, "b"}});
  std::string c = "c";
  EXPECT_FALSE(queue.offer(3, c));
  EXPECT_EQ(c, "c") << "a refused item is not moved from";
  EXPECT_EQ(take_item(queue), "a");
  queue.close();
  EXPECT_FALSE(queue.offer(3, c));
  EXPECT_EQ(c, "c");
  EXPECT_TRUE(queue.closed());
}

TEST(BridgeKeyedQueue, AClosedQueueHandsOverWhatItHoldsThenNothing) {
  Queue queue(10);
  offer_all(queue, {{1, "a"}, {1, "b"}});
  EXPECT_EQ(take_item(queue), "a");
  queue.close();
  // b waits for its key even though the queue is closed: a waiter is woken
  // by the release, not turned away by the close.
  auto waiter = take_later(queue);
  queue.release(1);
  EXPECT_EQ(waiter.get(), "b");
  queue.release(1);
  // Closed and empty: a take returns at once, whatever its wait.
  EXPECT_FALSE(queue.take(60s));
}

}  // namespace
}  // namespace chat::bridge
