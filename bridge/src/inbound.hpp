#pragma once
// One message from the broker, as the MQTT callback hands it to the workers.
#include "chat/bridge/topics.hpp"
#include "clock.hpp"

#include <string>

namespace chat::bridge {

struct Inbound {
  InboundTopic topic;
  std::string topic_text;
  std::string payload;
  SteadyClock::time_point received;
};

}  // namespace chat::bridge
