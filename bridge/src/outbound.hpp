#pragma once
// What the bridge publishes (acks, nacks, presence, request answers,
// membership events) on its way to the publisher connection, through a
// thread of its own.
//
// Why a thread: Paho C holds its global lock while the session's callback
// runs; a callback waiting for room in a full writer queue would make a
// writer that publishes wait for that lock, and the writer is what makes the
// room: a deadlock. So writers only append here and go on.
//
// Why a window: Paho's command queue has no bound while connected; handed
// publishes faster than the broker takes them, it grows without limit and
// every ack waits behind the backlog. At most `client_window` messages are
// in the client at once (handed over and not yet written, or for QoS 1 not
// yet acknowledged); the rest wait here, where they cost one deque entry and
// show in chat_bridge_outbound_depth. This queue is bounded by the writers'
// queues: it holds at most what the writers took from them since this thread
// last handed over.
#include "bridge_metrics.hpp"
#include "chat/bridge/topics.hpp"
#include "clock.hpp"
#include "publisher.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace chat::bridge {

class Outbound : public Publisher {
 public:
  // Hands one message to the MQTT client; false when it refused at once.
  // After a true, the client calls handed_over_done() once it is through
  // with the message (written, acknowledged, or failed).
  using Send = std::function<bool(const std::string& topic, const std::string& payload, int qos, bool retained)>;

  Outbound(Send send, std::size_t client_window, BridgeMetrics& metrics);
  ~Outbound() override;
  void publish(const std::string& topic, const std::string& payload, bool retained) override;
  void publish_acks(AckEvent event) override;
  void start();
  // Hands everything queued to the MQTT client, then ends the thread.
  void finish();

  // From the MQTT client's thread: one handed-over message is through.
  void handed_over_done();
  // The publisher connection was lost or made: what the client still holds is
  // in its own bounded buffer (oldest dropped first) and may never report
  // back, so the window starts empty again.
  void reset_window();

 private:
  struct Item {
    std::string topic;
    std::string payload;
    int qos = 1;
    bool retained = false;
    std::vector<SteadyClock::time_point> received;  // acks: when each message arrived
  };
  void run();
  void push(Item item);
  void wait_for_window();

  Send send_;
  const long client_window_;
  BridgeMetrics& metrics_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> items_;
  bool finishing_ = false;
  std::mutex window_mutex_;
  std::condition_variable window_open_;
  long in_client_ = 0;
  std::thread thread_;
};

}  // namespace chat::bridge
