// chat-loadgen's core, no broker, no network. What limited a plain run, said plainly.
#include "chat/loadgen/verdict.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chat::loadgen {
namespace {

TEST(LoadgenVerdict, SaysPlainlyWhenThePlainRunWasNotBrokerBound) {
  const auto bound = limit_verdict(97.0, 60.0, 1.5, 2);
  EXPECT_TRUE(bound.broker_bound);
  EXPECT_NE(bound.text.find("broker-bound: the broker used 97%"), std::string::npos) << bound.text;

  const auto loadgen = limit_verdict(60.0, 99.0, 1.5, 2);
  EXPECT_FALSE(loadgen.broker_bound);
  EXPECT_EQ(loadgen.text.rfind("NOT broker-bound", 0), 0U) << loadgen.text;
  EXPECT_NE(loadgen.text.find("the loadgen (99% of its one core) was the limit"), std::string::npos) << loadgen.text;

  const auto crowded = limit_verdict(40.0, 45.0, 8.3, 2);
  EXPECT_FALSE(crowded.broker_bound);
  EXPECT_NE(crowded.text.find("other processes took the CPU (load average 8.3 on 2 cores"), std::string::npos)
      << crowded.text;

  const auto idle = limit_verdict(30.0, 30.0, 0.8, 2);
  EXPECT_NE(idle.text.find("the windows (--inflight) were the limit"), std::string::npos) << idle.text;

  EXPECT_FALSE(limit_verdict(std::nullopt, 99.0, 1.0, 2).broker_bound);
  EXPECT_NE(limit_verdict(std::nullopt, 99.0, 1.0, 2).text.find("unknown"), std::string::npos);
}

}  // namespace
}  // namespace chat::loadgen
