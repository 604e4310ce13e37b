// chat-paho-floor: Paho MQTT C++ alone, set up as the bridge sets up its two
// connections, doing nothing else; prints the CPU it used per message.
//
//   chat-paho-floor consume --uri URI [--share GROUP] [--seconds S] [--receive-maximum N]
//       subscribes like the bridge's session ($share/GROUP/dm/+/msg/+, g/+/msg/+, MQTT 5,
//       QoS 1, persistent-session off) and drops every message in the callback;
//       prints messages, CPU seconds and µs of CPU per message over the window from
//       the first message to the last.
//   chat-paho-floor publish --uri URI [--count N] [--qos 0|1] [--window W] [--bytes B]
//       publishes N events of B bytes to u/{i}/ev, at most W handed to Paho and not
//       yet through (the bridge's outbound window); prints µs of CPU per publish.
#include "chat/protocol/topics.hpp"

#include <mqtt/async_client.h>

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

struct Args {
  std::string mode, uri = "tcp://127.0.0.1:1883", share = "floor";
  int seconds = 10, receive_maximum = 1000, count = 100000, qos = 0, window = 1000, bytes = 70;
};

Args parse(int argc, char** argv) {
  Args a;
  if (argc < 2) {
    std::cerr << "usage: chat-paho-floor consume|publish [options] (see the source's header)\n";
    std::exit(2);
  }
  a.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--uri")
      a.uri = value;
    else if (key == "--share")
      a.share = value;
    else if (key == "--seconds")
      a.seconds = std::stoi(value);
    else if (key == "--receive-maximum")
      a.receive_maximum = std::stoi(value);
    else if (key == "--count")
      a.count = std::stoi(value);
    else if (key == "--qos")
      a.qos = std::stoi(value);
    else if (key == "--window")
      a.window = std::stoi(value);
    else if (key == "--bytes")
      a.bytes = std::stoi(value);
    else {
      std::cerr << "chat-paho-floor: unknown option " << key << "\n";
      std::exit(2);
    }
  }
  return a;
}

// Connects as the bridge does (MQTT 5, receive maximum). The options are
// built where they are used: Paho C++ 1.2's connect_options keeps pointers
// into itself that a copy leaves dangling.
void connect(mqtt::async_client& client, int receive_maximum) {
  mqtt::properties props;
  props.add({mqtt::property::RECEIVE_MAXIMUM, receive_maximum});
  const auto options =
      mqtt::connect_options_builder().mqtt_version(MQTTVERSION_5).clean_start(true).properties(props).finalize();
  client.connect(options)->wait();
}

int consume(const Args& a) {
  mqtt::async_client client(a.uri, "paho-floor-consumer", mqtt::create_options(MQTTVERSION_5), nullptr);
  std::atomic<long> received{0};
  client.set_message_callback([&](const mqtt::const_message_ptr&) { ++received; });
  connect(client, a.receive_maximum);
  const std::string share = "$share/" + a.share + "/";
  client.subscribe(mqtt::string_collection::create({share + "dm/+/msg/+", share + "g/+/msg/+"}), {1, 1})->wait();
  std::cerr << "chat-paho-floor: consuming for " << a.seconds << " s\n";
  // The window: from the first message for `seconds`.
  while (received == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const long start_count = received;
  const double start_cpu = cpu_seconds();
  std::this_thread::sleep_for(std::chrono::seconds(a.seconds));
  const long count = received - start_count;
  const double cpu = cpu_seconds() - start_cpu;
  std::printf("{\"mode\":\"consume\",\"messages\":%ld,\"cpu_s\":%.3f,\"us_per_message\":%.2f}\n", count, cpu,
              count > 0 ? cpu * 1e6 / static_cast<double>(count) : 0.0);
  std::fflush(stdout);
  // Messages still arrive: end here rather than race Paho's threads through
  // a disconnect (a measuring tool; the broker drops the connection).
  std::_Exit(0);
}

class Done : public mqtt::iaction_listener {
 public:
  void on_success(const mqtt::token&) override { release(); }
  void on_failure(const mqtt::token&) override { release(); }
  void acquire(long window) {
    std::unique_lock lock(mutex_);
    open_.wait(lock, [&] { return in_client_ < window; });
    ++in_client_;
  }
  void drain() {
    std::unique_lock lock(mutex_);
    open_.wait(lock, [&] { return in_client_ == 0; });
  }

 private:
  void release() {
    {
      std::lock_guard lock(mutex_);
      --in_client_;
    }
    open_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable open_;
  long in_client_ = 0;
};

int publish(const Args& a) {
  // As the bridge's publisher: Paho counts every queued command against
  // max_buffered_messages, connected or not (100 by default).
  mqtt::async_client client(a.uri, "paho-floor-publisher",
                            mqtt::create_options_builder()
                                .mqtt_version(MQTTVERSION_5)
                                .send_while_disconnected(true, true)
                                .max_buffered_messages(100000)
                                .delete_oldest_messages(true)
                                .finalize(),
                            nullptr);
  connect(client, a.receive_maximum);
  const std::string payload(static_cast<std::size_t>(a.bytes), 'x');
  Done done;
  const double start_cpu = cpu_seconds();
  const auto start = Clock::now();
  for (int i = 0; i < a.count; ++i) {
    done.acquire(a.window);
    client.publish(chat::protocol::event_topic(1 + i % 1000), payload.data(), payload.size(), a.qos, false, nullptr,
                   done);
  }
  done.drain();
  const double cpu = cpu_seconds() - start_cpu;
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  client.disconnect()->wait();
  std::printf(
      "{\"mode\":\"publish\",\"qos\":%d,\"messages\":%d,\"cpu_s\":%.3f,\"us_per_message\":%.2f,\"per_s\":%.0f}\n",
      a.qos, a.count, cpu, cpu * 1e6 / a.count, a.count / wall);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  try {
    if (a.mode == "consume") return consume(a);
    if (a.mode == "publish") return publish(a);
  } catch (const mqtt::exception& error) {
    std::cerr << "chat-paho-floor: " << error.what() << "\n";
    return 1;
  }
  std::cerr << "chat-paho-floor: unknown mode " << a.mode << "\n";
  return 2;
}
