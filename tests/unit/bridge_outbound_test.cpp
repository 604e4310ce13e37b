// The outbound queue: what the bridge publishes goes to the MQTT client at
// most `client_window` at a time (Paho's own queue has no bound), acks at
// QoS 0 on the sender's event topic, everything else at QoS 1.
#include "outbound.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace chat::bridge {
namespace {

using namespace std::chrono_literals;

struct FakeClient {
  struct Sent {
    std::string topic;
    int qos;
    bool retained;
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<Sent> sent;
  int in_client = 0;
  int most_in_client = 0;

  Outbound::Send send() {
    return [this](const std::string& topic, const std::string&, int qos, bool retained) {
      std::lock_guard lock(mutex);
      sent.push_back({topic, qos, retained});
      most_in_client = std::max(most_in_client, ++in_client);
      changed.notify_all();
      return true;
    };
  }
  bool wait_sent(std::size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return sent.size() >= n; });
  }
  // The client is through with one message.
  void complete(Outbound& outbound) {
    {
      std::lock_guard lock(mutex);
      --in_client;
    }
    outbound.handed_over_done();
  }
};

TEST(BridgeOutbound, KeepsAtMostTheWindowInTheClient) {
  Registry registry;
  BridgeMetrics metrics(registry);
  FakeClient client;
  Outbound outbound(client.send(), 3, metrics);
  outbound.start();
  constexpr std::size_t kMessages = 20;
  for (std::size_t i = 0; i < kMessages; ++i) outbound.publish("t/" + std::to_string(i), "p", false);
  // Each completion lets exactly one more in.
  for (std::size_t done = 0; done < kMessages; ++done) {
    ASSERT_TRUE(client.wait_sent(std::min(kMessages, done + 3))) << "after " << done << " completions";
    client.complete(outbound);
  }
  outbound.finish();
  EXPECT_EQ(client.sent.size(), kMessages);
  EXPECT_EQ(client.most_in_client, 3) << "never more than the window in the client";
  for (std::size_t i = 0; i < kMessages; ++i) EXPECT_EQ(client.sent[i].topic, "t/" + std::to_string(i)) << "in order";
}

TEST(BridgeOutbound, AcksGoAtQos0ToTheSenderAndTheRestAtQos1) {
  Registry registry;
  BridgeMetrics metrics(registry);
  FakeClient client;
  Outbound outbound(client.send(), 100, metrics);
  outbound.start();
  AckEvent acks;
  acks.sender = 42;
  acks.payload = R"({"ev":"acks","acks":[]})";
  acks.received = {SteadyClock::now(), SteadyClock::now()};
  outbound.publish_acks(std::move(acks));
  outbound.publish("presence/42", R"({"online":true})", true);
  outbound.finish();
  ASSERT_EQ(client.sent.size(), 2u);
  EXPECT_EQ(client.sent[0].topic, "u/42/ev");
  EXPECT_EQ(client.sent[0].qos, 0);
  EXPECT_EQ(client.sent[1].qos, 1);
  EXPECT_TRUE(client.sent[1].retained);
  EXPECT_EQ(metrics.acks.value(), 2u) << "one per message acked, not per event";
}

TEST(BridgeOutbound, ALostConnectionOpensTheWindowAgain) {
  // Completions of what the client held when the connection dropped may
  // never come: the connection handlers reset the window.
  Registry registry;
  BridgeMetrics metrics(registry);
  FakeClient client;
  Outbound outbound(client.send(), 2, metrics);
  outbound.start();
  for (int i = 0; i < 4; ++i) outbound.publish("t", "p", false);
  ASSERT_TRUE(client.wait_sent(2));
  outbound.reset_window();
  ASSERT_TRUE(client.wait_sent(4));
  outbound.finish();
}

}  // namespace
}  // namespace chat::bridge
