// chat-loadgen's core, no broker, no network. The open-loop send schedule: each message due on its own time, an
// overload phase.
#include "chat/loadgen/options.hpp"
#include "chat/loadgen/schedule.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace chat::loadgen {
namespace {

TEST(LoadgenSchedule, MessagesAreDueOnTheirOwnTimeWhateverCameBack) {
  const FixedRateSchedule s(1000, 5'000'000);  // 1000/s from t = 5 s
  EXPECT_EQ(s.intended_us(0), 5'000'000U);
  EXPECT_EQ(s.intended_us(1), 5'001'000U);
  EXPECT_EQ(s.intended_us(2500), 7'500'000U);
  EXPECT_EQ(s.due_by(4'999'999), 0U);
  EXPECT_EQ(s.due_by(5'000'000), 1U);
  EXPECT_EQ(s.due_by(5'000'999), 1U);
  EXPECT_EQ(s.due_by(5'001'000), 2U);
  // Late by a second: every message of that second is due at once, each keeping its own time.
  EXPECT_EQ(s.due_by(6'000'000), 1001U);
  EXPECT_EQ(s.wait_us(1001, 6'000'000), 1000U);
  EXPECT_EQ(s.wait_us(10, 6'000'000), 0U);
  const FixedRateSchedule odd(3, 0);  // rounding must agree between due_by and intended_us
  for (std::uint64_t t = 0; t < 3'000'000; t += 111'111) {
    const auto k = odd.due_by(t);
    EXPECT_LE(odd.intended_us(k - 1), t);
    EXPECT_GT(odd.intended_us(k), t);
  }
}

TEST(LoadgenSchedule, AnOverloadPhaseThenTheNormalRate) {
  const FixedRateSchedule s(100, 0, 1000, 2);  // 1000/s for 2 s, then 100/s
  EXPECT_EQ(s.intended_us(1999), 1'999'000U);
  EXPECT_EQ(s.intended_us(2000), 2'000'000U) << "the second phase starts on time";
  EXPECT_EQ(s.intended_us(2001), 2'010'000U);
  EXPECT_EQ(s.due_by(1'000'000), 1001U);
  EXPECT_EQ(s.due_by(3'000'000), 2101U);
  for (std::uint64_t t = 1; t < 4'000'000; t += 77'777) {
    const auto k = s.due_by(t);
    EXPECT_LE(s.intended_us(k - 1), t);
    EXPECT_GT(s.intended_us(k), t);
  }
  const auto parsed = parse_options({"--mode", "plain", "--rate", "10", "--rate-first", "50:2.5"});
  EXPECT_EQ(parsed.error, "");
  EXPECT_DOUBLE_EQ(parsed.options.first_rate, 50.0);
  EXPECT_DOUBLE_EQ(parsed.options.first_s, 2.5);
  EXPECT_NE(parse_options({"--mode", "plain", "--rate-first", "50:2"}).error, "") << "needs --rate";
  EXPECT_NE(parse_options({"--mode", "plain", "--rate", "10", "--rate-first", "50"}).error, "");
}

}  // namespace
}  // namespace chat::loadgen
