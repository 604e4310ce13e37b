#pragma once
// A device that sends requests on req/{uid}/{device} and reads the answers,
// for the hostile request tests.
#include "hostile_test.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>

namespace chat::hostile {

class Requester {
 public:
  Requester(std::unique_ptr<RawMqttClient> client, StackUser user)
      : client_(std::move(client)), user_(std::move(user)) {
    EXPECT_EQ(client_->subscribe("u/" + user_.uid() + "/rsp/phone"), 1);
  }
  // Publishes the request; the PUBACK's code.
  int send(const std::string& payload) { return client_->publish("req/" + user_.uid() + "/phone", payload); }
  // The next answer (any id); null when none came.
  nlohmann::json answer(std::chrono::milliseconds timeout = 5s) {
    const auto got = client_->next_publish(timeout, "u/" + user_.uid() + "/rsp/phone");
    return got ? nlohmann::json::parse(got->payload, nullptr, false) : nlohmann::json();
  }
  nlohmann::json ask(const std::string& payload) {
    EXPECT_EQ(send(payload), kAccepted);
    return answer();
  }

 private:
  std::unique_ptr<RawMqttClient> client_;
  StackUser user_;
};

}  // namespace chat::hostile
