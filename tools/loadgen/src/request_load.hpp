#pragma once
// --request-load for --mode sync: a device that sends `history` requests at a
// fixed rate, in a process of its own. The loadgen drives all its clients
// from one event-loop thread: in the writer's process, ~10 MB/s of answers
// would delay the writer's acks inside the load generator and be measured as
// the bridge's doing. Forked before any MQTT client (and so before the event
// loop's thread) exists.
#include "chat/loadgen/histogram.hpp"

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace chat::loadgen {

struct RequestLoadSpec {
  std::string uri;
  std::uint64_t uid = 0;
  std::string username;  // empty: anonymous
  std::string token;
  std::vector<std::uint64_t> chats;  // asked for in turn
  double rate = 0;                   // requests/s
  int mqtt_version = 5;
  double connect_timeout_s = 20;
};

struct RequestLoadResult {
  std::uint64_t sent = 0;
  std::uint64_t answered = 0;
  std::uint64_t failed = 0;  // answered with an error
  Histogram latency_us;      // request -> answer
};

class RequestLoad {
 public:
  // Forks the load process; it connects and waits for start().
  explicit RequestLoad(const RequestLoadSpec& spec);
  ~RequestLoad();
  RequestLoad(const RequestLoad&) = delete;
  RequestLoad& operator=(const RequestLoad&) = delete;

  // Waits until the load's device is connected, then lets it send; false when it could not connect.
  bool start();
  // Stops sending, waits up to two seconds for the last answers, and collects the figures.
  RequestLoadResult finish();

 private:
  pid_t pid_ = -1;
  int to_child_ = -1;    // the parent's end: a byte starts, EOF stops
  int from_child_ = -1;  // "ready\n", then the result line
};

}  // namespace chat::loadgen
