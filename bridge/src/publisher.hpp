#pragma once
// Publishing through the bridge's publisher connection (mqtt_link.hpp
// implements it; the workers only see this).
#include "chat/bridge/ack_batch.hpp"

#include <string>

namespace chat::bridge {

// Publishing through the bridge's publisher connection.
class Publisher {
 public:
  virtual ~Publisher() = default;
  // QoS 1: nacks, request answers, membership events, retained presence.
  virtual void publish(const std::string& topic, const std::string& payload, bool retained) = 0;
  // QoS 0, on u/{sender}/ev: a lost ack is recovered by the contract's resend
  // rule (the sender publishes unacked messages again after a reconnect and
  // gets them acked as duplicates), and QoS 0 spares the bridge a PUBACK to
  // read and a token to complete per event.
  virtual void publish_acks(AckEvent event) = 0;
};

}  // namespace chat::bridge
