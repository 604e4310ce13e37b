// Unit tests of chat-loadgen's core: latency histogram, loss/duplicate
// accounting, outbox/resend bookkeeping, payloads and topics, traffic shape,
// options, CPU parsing, report and worker results. No broker, no network.
#include "chat/loadgen/catch_up.hpp"
#include "chat/loadgen/cpu.hpp"
#include "chat/loadgen/histogram.hpp"
#include "chat/loadgen/message.hpp"
#include "chat/loadgen/options.hpp"
#include "chat/loadgen/outbox.hpp"
#include "chat/loadgen/population.hpp"
#include "chat/loadgen/report.hpp"
#include "chat/loadgen/results.hpp"
#include "chat/loadgen/schedule.hpp"
#include "chat/loadgen/shape.hpp"
#include "chat/loadgen/windows.hpp"
#include "chat/loadgen/tracker.hpp"
#include "chat/loadgen/verdict.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <regex>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

namespace chat::loadgen {
namespace {

// ------------------------------------------------------------------ histogram

TEST(LoadgenHistogram, EmptyReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.count(), 0U);
  EXPECT_EQ(h.percentile(50), 0U);
  EXPECT_EQ(h.percentile(100), 0U);
  EXPECT_EQ(h.max(), 0U);
  EXPECT_EQ(h.min(), 0U);
  EXPECT_EQ(h.mean(), 0.0);
  const auto s = summarize(h);
  EXPECT_EQ(s.count, 0U);
  EXPECT_EQ(s.p99, 0U);
}

TEST(LoadgenHistogram, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.count(), 100U);
  EXPECT_EQ(h.min(), 1U);
  EXPECT_EQ(h.max(), 100U);
  EXPECT_EQ(h.percentile(50), 50U);
  EXPECT_EQ(h.percentile(95), 95U);
  EXPECT_EQ(h.percentile(99), 99U);
  EXPECT_EQ(h.percentile(100), 100U);
  EXPECT_EQ(h.percentile(0), 1U);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LoadgenHistogram, BucketsCoverEveryValueWithBoundedWidth) {
  std::vector<std::uint64_t> values;
  for (std::uint64_t v = 0; v < 5000; ++v) values.push_back(v);
  for (unsigned shift = 12; shift < 64; ++shift) {
    const std::uint64_t base = std::uint64_t{1} << shift;
    values.insert(values.end(), {base - 1, base, base + 1, base + base / 3});
  }
  values.push_back(std::numeric_limits<std::uint64_t>::max());
  std::size_t previous = 0;
  std::uint64_t previous_value = 0;
  for (const auto v : values) {
    const auto b = Histogram::bucket_of(v);
    ASSERT_LT(b, Histogram::bucket_count()) << v;
    EXPECT_LE(Histogram::bucket_low(b), v) << v;
    EXPECT_GE(Histogram::bucket_high(b), v) << v;
    // Relative width at most 1/128 of the bucket's low end.
    const auto width = Histogram::bucket_high(b) - Histogram::bucket_low(b);
    EXPECT_LE(width, Histogram::bucket_low(b) / 128) << v;
    if (v >= previous_value) {
      EXPECT_GE(b, previous);  // monotonic
    }
    previous = b;
    previous_value = v;
  }
}

TEST(LoadgenHistogram, PercentilesWithinOnePercentOnAWideRange) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 200000; ++v) h.record(v * 7);  // 7 µs .. 1.4 s
  const auto near = [](std::uint64_t got, double want) {
    return std::abs(static_cast<double>(got) - want) <= want * 0.008;
  };
  EXPECT_TRUE(near(h.percentile(50), 700000.0)) << h.percentile(50);
  EXPECT_TRUE(near(h.percentile(95), 1330000.0)) << h.percentile(95);
  EXPECT_TRUE(near(h.percentile(99), 1386000.0)) << h.percentile(99);
  EXPECT_EQ(h.max(), 1400000U);  // max is exact, not a bucket bound
  EXPECT_EQ(h.min(), 7U);
}

TEST(LoadgenHistogram, OutlierShowsInMaxAndTail) {
  Histogram h;
  for (int i = 0; i < 999; ++i) h.record(1000);
  h.record(5'000'000);
  // A percentile is its bucket's highest value: 1000 reads as at most 0.8 % more.
  EXPECT_GE(h.percentile(50), 1000U);
  EXPECT_LE(h.percentile(50), 1008U);
  EXPECT_EQ(h.percentile(99), h.percentile(50));
  EXPECT_EQ(h.max(), 5'000'000U);
  EXPECT_GE(h.percentile(99.95), 4'960'000U);
}

TEST(LoadgenHistogram, MergeEqualsRecordingEverything) {
  Histogram a;
  Histogram b;
  Histogram all;
  for (std::uint64_t v = 0; v < 3000; ++v) {
    const std::uint64_t x = (v * 7919) % 100000;
    (v % 2 == 0 ? a : b).record(x);
    all.record(x);
  }
  Histogram empty;
  a.merge(empty);
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (const double p : {1.0, 50.0, 95.0, 99.0, 100.0}) EXPECT_EQ(a.percentile(p), all.percentile(p)) << p;
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  empty.merge(all);
  EXPECT_EQ(empty.min(), all.min());
}

TEST(LoadgenHistogram, EncodeDecodeRoundTrip) {
  Histogram h;
  for (std::uint64_t v : {3ULL, 17ULL, 17ULL, 250ULL, 123456ULL, 9999999999ULL}) h.record(v);
  Histogram back;
  ASSERT_TRUE(back.decode(h.encode()));
  EXPECT_EQ(back.count(), h.count());
  EXPECT_EQ(back.min(), h.min());
  EXPECT_EQ(back.max(), h.max());
  EXPECT_EQ(back.percentile(50), h.percentile(50));
  EXPECT_EQ(back.percentile(99), h.percentile(99));
  EXPECT_NEAR(back.mean(), h.mean(), 1e-3);

  Histogram empty;
  ASSERT_TRUE(back.decode(empty.encode()));
  EXPECT_EQ(back.count(), 0U);

  for (const char* bad : {"", "x", "2 1 5 6.0 3:1", "1 1 1 1.0 99999999:1", "1 1 1 1.0 3-1", "1 5 1 1.0 3:1"}) {
    EXPECT_FALSE(back.decode(bad)) << bad;
    EXPECT_EQ(back.count(), 0U) << bad;
  }
}

// ------------------------------------------------------------------ topics, ids, payloads

TEST(LoadgenMessage, TopicsFollowTheContract) {
  EXPECT_EQ(dm_msg_topic(12, 7), "dm/12/msg/7");
  EXPECT_EQ(group_msg_topic(3, 7), "g/3/msg/7");
  EXPECT_EQ(user_event_topic(7), "u/7/ev");
  EXPECT_EQ(parse_msg_topic("dm/12/msg/7"), (MsgTopic{ChatKind::direct, 12, 7}));
  EXPECT_EQ(parse_msg_topic("g/3/msg/9223372036854775807"), (MsgTopic{ChatKind::group, 3, 9223372036854775807ULL}));
  for (const char* bad : {"dm/12/rcpt/7", "dm/12/typing/7", "dm/0/msg/7", "dm/12/msg/0", "dm/012/msg/7", "dm/12/msg/",
                          "dm/12/msg", "dm//msg/7", "dm/12/msg/7/", "dm/12/msg/7/8", "x/12/msg/7", "g/a/msg/7",
                          "g/3/msg/+", "dm/12/msg/9223372036854775808", "dm/12/msg/18446744073709551616", "", "dm"}) {
    EXPECT_FALSE(parse_msg_topic(bad).has_value()) << bad;
  }
}

TEST(LoadgenMessage, IdsRoundTripAndMatchTheContract) {
  const std::regex contract("^[A-Za-z0-9_-]{1,64}$");
  const auto run = make_run_tag(std::numeric_limits<std::uint64_t>::max());
  EXPECT_LE(run.size(), 13U);
  const auto id = format_message_id(run, 4294967295U, std::numeric_limits<std::uint64_t>::max());
  EXPECT_TRUE(std::regex_match(id, contract)) << id;
  const auto parsed = parse_message_id(id);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->run, run);
  EXPECT_EQ(parsed->device, 4294967295U);
  EXPECT_EQ(parsed->n, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(parse_message_id("ab12-0-0"), (MessageId{"ab12", 0, 0}));
  EXPECT_EQ(make_run_tag(0), "0");
  EXPECT_EQ(make_run_tag(35), "z");
  EXPECT_EQ(make_run_tag(36), "10");
  for (const char* bad : {"", "c-7f3a9", "-1-2", "ab--2", "ab-1-", "ab-01-2", "ab-1-02", "a_b-1-2", "ab-x-2", "ab-1-2x",
                          "ab-4294967296-1", "abcdefghijklmnopq-1-2"}) {
    EXPECT_FALSE(parse_message_id(bad).has_value()) << bad;
  }
}

TEST(LoadgenMessage, PayloadIsAContractTextMessageOfTheRequestedSize) {
  const std::uint64_t send_us = 1763700000123456ULL;
  const auto payload = build_message("r1-0-42", send_us, 300);
  EXPECT_EQ(payload.size(), 300U);
  const auto j = nlohmann::json::parse(payload);
  EXPECT_EQ(j.at("id"), "r1-0-42");
  EXPECT_EQ(j.at("type"), "text");
  EXPECT_TRUE(j.at("text").is_string());
  EXPECT_EQ(j.at("ts").get<std::uint64_t>(), send_us / 1000);  // the contract's ts is milliseconds
  EXPECT_EQ(j.size(), 4U);

  const auto small = build_message("r1-0-42", send_us, 1);  // smaller than the fixed part: minimal
  EXPECT_LT(small.size(), 100U);
  EXPECT_TRUE(nlohmann::json::accept(small));
  const auto parsed = parse_message(small);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->send_us, send_us);
}

TEST(LoadgenMessage, WordsFillTheTextWithVariedWordsAtTheSameSize) {
  const std::uint64_t send_us = 1763700000123456ULL;
  const auto payload = build_message("r1-0-42", send_us, 300, true);
  EXPECT_EQ(payload.size(), 300U);
  const auto j = nlohmann::json::parse(payload);
  const auto text = j.at("text").get<std::string>();
  EXPECT_EQ(text.find("xxx"), std::string::npos) << text;
  EXPECT_NE(text.find(' '), std::string::npos) << text;
  const auto parsed = parse_message(payload);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->send_us, send_us);
  // Another message, other words.
  EXPECT_NE(nlohmann::json::parse(build_message("r1-0-43", send_us + 1, 300, true)).at("text"), text);
}

TEST(LoadgenMessage, ParsesItsOwnAndReserialisedPayloads) {
  const auto payload = build_message("r1-2-9", 1763700000000001ULL, 200);
  auto parsed = parse_message(payload);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->id, "r1-2-9");
  EXPECT_EQ(parsed->send_us, 1763700000000001ULL);

  // The same message as a server might write it back: other key order, spaces, extra fields.
  const auto j = nlohmann::json::parse(payload);
  const std::string reordered =
      R"({ "ts" : 1, "text" : )" + j.at("text").dump() + R"(, "type": "text", "seq": 4, "id" : "r1-2-9" })";
  parsed = parse_message(reordered);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->id, "r1-2-9");
  EXPECT_EQ(parsed->send_us, 1763700000000001ULL);

  // A value that looks like a key does not fool it.
  parsed = parse_message(R"({"text":"\"id\" is here","id":"c-1"})");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->id, "c-1");
  EXPECT_EQ(parsed->send_us, 0U);  // a text with escapes carries no loadgen time
  parsed = parse_message(R"({"type":"text","text":"id","id":"c-1"})");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->id, "c-1");
  EXPECT_EQ(parsed->send_us, 0U);  // no loadgen time in this text

  for (const char* bad : {"", "{}", R"({"id":1})", R"({"id":"a\"b"})", R"({"id":"unterminated)", "not json"}) {
    EXPECT_FALSE(parse_message(bad).has_value()) << bad;
  }
}

TEST(LoadgenMessage, AckEventsOfBothShapes) {
  // The single ack (being retired) and the list, one event per sender per transaction.
  const auto single = parse_ack_events(R"({"ev":"ack","chat":5,"id":"r1-0-3","seq":118,"ts":1763700000000})");
  ASSERT_EQ(single.size(), 1U);
  EXPECT_EQ(single[0].chat, 5U);
  EXPECT_EQ(single[0].id, "r1-0-3");
  EXPECT_EQ(single[0].seq, 118U);
  const auto list = parse_ack_events(
      R"({"ev":"acks","acks":[{"chat":5,"id":"r1-0-3","seq":118,"ts":1},{"chat":9,"id":"r1-0-4","seq":7,"ts":2},)"
      R"({"chat":-1,"id":"bad","seq":1}]})");
  ASSERT_EQ(list.size(), 2U) << "the malformed entry is skipped, the others kept";
  EXPECT_EQ(list[1].chat, 9U);
  EXPECT_EQ(list[1].id, "r1-0-4");
  EXPECT_EQ(list[1].seq, 7U);
  for (const char* other :
       {R"({"ev":"nack","id":"x","topic":"t","error":"forbidden"})", R"({"ev":"ack","id":"x"})",
        R"({"ev":"ack","chat":-1,"id":"x","seq":1})", R"({"ev":"acks","acks":{}})", R"([1,2])", "{", ""}) {
    EXPECT_TRUE(parse_ack_events(other).empty()) << other;
  }
  EXPECT_EQ(parse_nack_id(R"({"ev":"nack","id":"r1-0-5","topic":"t","error":"forbidden"})"), "r1-0-5");
  EXPECT_FALSE(parse_nack_id(R"({"ev":"ack","chat":5,"id":"r1-0-3","seq":1})").has_value());
}

// ------------------------------------------------------------------ schedule and windows

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

TEST(LoadgenWindows, CountsAndLatencyPerWindow) {
  WindowedStats w(1'000'000, 10'000'000);  // 10 s windows from t = 1 s
  w.sent(1'000'000);
  w.sent(12'000'000);
  w.acked(2'000'000, 1'999'500, 1'999'500);
  w.acked(11'000'001, 2'000'001, 2'000'001);  // a slow ack lands in the window it happened in
  w.delivered(25'000'000, 700);
  ASSERT_EQ(w.windows().size(), 3U);
  EXPECT_EQ(w.windows()[0].sent, 1U);
  EXPECT_EQ(w.windows()[0].acked, 1U);
  EXPECT_EQ(w.windows()[0].ack.max(), 500U);
  EXPECT_EQ(w.windows()[1].sent, 1U);
  EXPECT_EQ(w.windows()[1].ack.max(), 9'000'000U);
  EXPECT_EQ(w.windows()[1].delivered, 0U);
  EXPECT_EQ(w.windows()[2].delivered, 1U);
  EXPECT_DOUBLE_EQ(w.seconds_of(0, 30'000'000), 10.0);
  EXPECT_DOUBLE_EQ(w.seconds_of(2, 26'000'000), 5.0) << "the last window is partial";
}

TEST(LoadgenWindows, SplitsIntendedToAckIntoOutboxWaitAndPublishToAck) {
  WindowedStats w(0, 1'000'000);  // 1 s windows
  // Due at 0.1 s, held in the outbox until 2.5 s, acked at 2.52 s: a user waited 2.42 s, the
  // broker and what is behind it took 20 ms.
  w.sent(100'000);
  w.acked(2'520'000, 100'000, 2'500'000);
  // Published on time: both latencies are the same.
  w.sent(2'600'000);
  w.acked(2'610'000, 2'600'000, 2'600'000);
  ASSERT_EQ(w.windows().size(), 3U);
  const auto& third = w.windows()[2];
  EXPECT_EQ(third.acked, 2U);
  EXPECT_EQ(third.ack.max(), 2'420'000U);
  EXPECT_EQ(third.publish_ack.max(), 20'000U);
  EXPECT_EQ(third.publish_ack.min(), 10'000U);
  EXPECT_EQ(third.outbox_wait.max(), 2'400'000U);
  EXPECT_EQ(third.outbox_wait.min(), 0U);
  // A clock step cannot make a latency negative.
  w.acked(2'700'000, 2'800'000, 2'900'000);
  EXPECT_EQ(w.windows()[2].ack.min(), 0U);
}

TEST(LoadgenWindows, UnackedAtTheEndOfAWindowIsTheSendersBacklogPlusInFlight) {
  WindowedStats w(0, 1'000'000);
  for (int i = 0; i < 10; ++i) w.sent(100'000);  // 10 due in window 0
  for (int i = 0; i < 4; ++i) w.acked(500'000, 100'000, 100'000);
  for (int i = 0; i < 5; ++i) w.sent(1'500'000);  // 5 more due in window 1
  for (int i = 0; i < 8; ++i) w.acked(1'600'000, 100'000, 1'000'000);
  w.acked(3'100'000, 1'500'000, 2'000'000);  // window 2 is empty, window 3 acks one
  EXPECT_EQ(w.unacked_at_end(0), 6U);
  EXPECT_EQ(w.unacked_at_end(1), 3U);
  EXPECT_EQ(w.unacked_at_end(2), 3U);
  EXPECT_EQ(w.unacked_at_end(3), 2U);
  EXPECT_EQ(w.unacked_at_end(99), 2U) << "past the last window: what is still unacked at the end";
}

// ------------------------------------------------------------------ what limited a plain run

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

// ------------------------------------------------------------------ shapes

TEST(LoadgenShape, HotPairsWriteOnlyToTheirPartner) {
  const auto r = parse_options({"--mode", "plain", "--shape", "pairs", "--pairs", "3"});
  ASSERT_EQ(r.error, "");
  const auto t = traffic_of(r.options);
  EXPECT_EQ(t.population.users, 6U);
  EXPECT_EQ(t.senders, 3U);
  const Population pop(t.population);
  DestinationPicker picker(pop, t.group_share, 1, t.paired);
  for (std::uint32_t u = 0; u < 3; ++u) {
    std::uint32_t dest = 0;
    ASSERT_TRUE(picker.pick(u, dest));
    EXPECT_EQ(dest, pop.direct_to(u + 3));
  }
}

TEST(LoadgenShape, CrowdGroupsOfFiveToFiftyCoverEveryUser) {
  const auto r = parse_options({"--mode", "platform", "--shape", "crowd"});
  ASSERT_EQ(r.error, "");
  const auto t = traffic_of(r.options);
  EXPECT_EQ(t.population.users, 2000U);
  EXPECT_EQ(t.population.devices, 1U);
  EXPECT_DOUBLE_EQ(t.group_share, 0.3);
  const Population pop(t.population);
  std::uint32_t covered = 0;
  for (std::uint32_t g = 0; g < pop.groups(); ++g) {
    EXPECT_GE(pop.members(g).size(), 5U);
    EXPECT_LE(pop.members(g).size(), 50U);
    covered += static_cast<std::uint32_t>(pop.members(g).size());
  }
  EXPECT_EQ(covered, 2000U);
  for (std::uint32_t u = 0; u < 2000; ++u) EXPECT_EQ(pop.groups_of(u).size(), 1U) << u;
  // 70 % direct, 30 % group, over many picks.
  DestinationPicker picker(pop, t.group_share, 7);
  int groups = 0;
  for (int i = 0; i < 10000; ++i) {
    std::uint32_t dest = 0;
    ASSERT_TRUE(picker.pick(static_cast<std::uint32_t>(i % 2000), dest));
    groups += pop.is_group(dest) ? 1 : 0;
  }
  EXPECT_NEAR(groups / 10000.0, 0.3, 0.03);
}

TEST(LoadgenShape, FanOutIsOneSenderToOneGroupOfTwoHundred) {
  const auto r = parse_options({"--mode", "plain", "--shape", "fanout"});
  ASSERT_EQ(r.error, "");
  const auto t = traffic_of(r.options);
  EXPECT_EQ(t.population.users, 200U);
  EXPECT_EQ(t.senders, 1U);
  EXPECT_DOUBLE_EQ(t.group_share, 1.0);
  const Population pop(t.population);
  ASSERT_EQ(pop.groups(), 1U);
  EXPECT_EQ(pop.recipients(pop.group_dest(0)).size(), 200U);
}

TEST(LoadgenOptions, WatchPids) {
  const auto w = parse_watch_pid("postgres=12,13");
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->name, "postgres");
  EXPECT_EQ(w->pids, (std::vector<pid_t>{12, 13}));
  for (const char* bad : {"postgres", "=1", "x=", "x=1,", "x=-1", "x=a"}) EXPECT_FALSE(parse_watch_pid(bad)) << bad;
  const auto r =
      parse_options({"--mode", "plain", "--watch-pid", "bridge=5", "--watch-pid", "postgres=6,7", "--window", "1"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.options.watch.size(), 2U);
  EXPECT_DOUBLE_EQ(r.options.window_s, 1.0);
}

// ------------------------------------------------------------------ outbox

TEST(LoadgenOutbox, WindowBoundsUnackedMessages) {
  Outbox box(3);
  EXPECT_TRUE(box.has_room());
  EXPECT_TRUE(box.add(0, "t", "p0", 100));
  EXPECT_TRUE(box.add(1, "t", "p1", 101));
  EXPECT_FALSE(box.add(1, "t", "again", 102));  // the same number twice
  EXPECT_TRUE(box.add(2, "t", "p2", 103));
  EXPECT_FALSE(box.has_room());
  EXPECT_FALSE(box.add(3, "t", "p3", 104));
  EXPECT_EQ(box.size(), 3U);
  EXPECT_EQ(box.ack(1)->intended_us, 101U);  // out of order is fine
  EXPECT_TRUE(box.has_room());
  EXPECT_TRUE(box.add(3, "t", "p3", 104));
}

TEST(LoadgenOutbox, AckReturnsFirstSendTimeOnceAndCountsStrays) {
  Outbox box(10);
  box.add(7, "t", "p", 555);
  EXPECT_EQ(box.ack(7)->intended_us, 555U);
  EXPECT_FALSE(box.ack(7).has_value());  // a second ack for the same message
  EXPECT_FALSE(box.ack(8).has_value());  // an ack for a message never sent
  EXPECT_EQ(box.unknown_acks(), 2U);
  EXPECT_TRUE(box.empty());
}

TEST(LoadgenOutbox, AckReturnsTheIntendedAndThePublishTimeAndAResendKeepsBoth) {
  Outbox box(2);
  box.add(0, "t", "held", 1'000, 4'000);  // due at 1 ms, published at 4 ms: waited for room
  box.add(1, "t", "on time", 5'000);      // published when due
  box.connection_lost();
  ASSERT_EQ(box.take_unsent().size(), 2U);  // resent at some later time: the times stay
  const auto held = box.ack(0);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->intended_us, 1'000U);
  EXPECT_EQ(held->published_us, 4'000U);
  EXPECT_EQ(held->outbox_wait_us(), 3'000U);
  const auto on_time = box.ack(1);
  ASSERT_TRUE(on_time.has_value());
  EXPECT_EQ(on_time->published_us, 5'000U);
  EXPECT_EQ(on_time->outbox_wait_us(), 0U);
}

TEST(LoadgenOutbox, ReconnectResendsEveryUnackedMessageWithItsIdInOrder) {
  Outbox box(10);
  for (std::uint64_t n = 0; n < 5; ++n) box.add(n, "dm/2/msg/1", "payload-" + std::to_string(n), 1000 + n);
  box.ack(1);
  box.ack(3);
  EXPECT_TRUE(box.take_unsent().empty());  // everything is in flight
  box.connection_lost();
  EXPECT_EQ(box.unsent(), 3U);
  const auto again = box.take_unsent();
  ASSERT_EQ(again.size(), 3U);
  EXPECT_EQ(again[0].n, 0U);
  EXPECT_EQ(again[1].n, 2U);
  EXPECT_EQ(again[2].n, 4U);
  EXPECT_EQ(again[1].payload, "payload-2");  // byte for byte: same id, same ts
  EXPECT_EQ(again[1].topic, "dm/2/msg/1");
  EXPECT_EQ(again[1].times.intended_us, 1002U);  // latency counts from the first attempt
  EXPECT_EQ(again[1].attempts, 2U);
  EXPECT_TRUE(again[1].in_flight);
  EXPECT_EQ(box.resends(), 3U);
  EXPECT_EQ(box.unsent(), 0U);
  EXPECT_TRUE(box.take_unsent().empty());
  EXPECT_EQ(box.size(), 3U);  // still unacked: they stay until their ack
  EXPECT_EQ(box.ack(2)->intended_us, 1002U);
}

TEST(LoadgenOutbox, FailedPublishIsRetriedAndAckOfAnUnsentEntryKeepsCountsRight) {
  Outbox box(4);
  box.add(0, "t", "a", 1);
  box.add(1, "t", "b", 2);
  box.mark_unsent(1);
  box.mark_unsent(1);  // twice: still one
  box.mark_unsent(9);  // unknown: ignored
  EXPECT_EQ(box.unsent(), 1U);
  EXPECT_EQ(box.ack(1)->intended_us, 2U);  // a late ack of the first attempt
  EXPECT_EQ(box.unsent(), 0U);
  EXPECT_TRUE(box.take_unsent().empty());
  box.connection_lost();
  box.connection_lost();
  EXPECT_EQ(box.unsent(), 1U);
  EXPECT_EQ(box.take_unsent().size(), 1U);
}

// ------------------------------------------------------------------ delivery accounting

// Destinations of the tests: 0 -> client 1; 1 -> clients 0, 1, 2 (a group); 2 -> nobody.
std::span<const std::uint32_t> test_recipients(std::uint32_t dest) {
  static const std::vector<std::uint32_t> direct{1};
  static const std::vector<std::uint32_t> group{0, 1, 2};
  static const std::vector<std::uint32_t> none;
  return dest == 0   ? std::span<const std::uint32_t>(direct)
         : dest == 1 ? std::span<const std::uint32_t>(group)
                     : std::span<const std::uint32_t>(none);
}

TEST(LoadgenTracker, CountsFirstsDuplicatesAndLosses) {
  DeliveryTracker t(test_recipients);
  EXPECT_EQ(t.sent(0, 0, 0), 1U);  // client 0 -> client 1
  EXPECT_EQ(t.sent(0, 1, 1), 3U);  // client 0 -> group
  EXPECT_EQ(t.sent(0, 1, 1), 0U);  // recorded once
  EXPECT_EQ(t.expected(), 4U);
  EXPECT_EQ(t.received(1, 0, 0), Delivery::first);
  EXPECT_EQ(t.received(1, 0, 0), Delivery::duplicate);  // a resend seen twice
  EXPECT_EQ(t.received(0, 0, 1), Delivery::first);      // the sender's own device (group echo)
  EXPECT_EQ(t.received(2, 0, 1), Delivery::first);
  // client 1 never gets message 1
  std::vector<DeliveryTracker::Lost> lost;
  const auto c = t.reconcile(&lost);
  EXPECT_EQ(c.messages, 2U);
  EXPECT_EQ(c.expected, 4U);
  EXPECT_EQ(c.delivered, 3U);
  EXPECT_EQ(c.lost, 1U);
  EXPECT_EQ(c.duplicates, 1U);
  EXPECT_EQ(c.unexpected, 0U);
  ASSERT_EQ(lost.size(), 1U);
  EXPECT_EQ(lost[0].sender, 0U);
  EXPECT_EQ(lost[0].n, 1U);
  EXPECT_EQ(lost[0].receiver, 1U);
}

// --no-local: the sending client expects no copy of its own group message, the
// other members do; a copy that comes anyway is unexpected, not lost.
TEST(LoadgenTracker, NoLocalLeavesTheSenderOut) {
  DeliveryTracker t(test_recipients, /*no_local=*/true);
  EXPECT_EQ(t.sent(0, 0, 1), 2U);  // client 0 -> group {0, 1, 2}: clients 1 and 2
  EXPECT_EQ(t.sent(1, 0, 0), 0U);  // client 1 -> client 1 (a direct message to itself)
  EXPECT_EQ(t.received(1, 0, 0), Delivery::first);
  auto c = t.reconcile();
  EXPECT_EQ(c.expected, 2U);
  EXPECT_EQ(c.delivered, 1U);
  EXPECT_EQ(c.lost, 1U);  // client 2
  EXPECT_EQ(t.received(2, 0, 0), Delivery::first);
  EXPECT_EQ(t.received(0, 0, 0), Delivery::first);  // the broker ignored No Local
  c = t.reconcile();
  EXPECT_EQ(c.lost, 0U);
  EXPECT_EQ(c.unexpected, 1U);
}

TEST(LoadgenTracker, UnknownAndUnexpectedDeliveriesAreSeparate) {
  DeliveryTracker t(test_recipients);
  t.sent(3, 0, 0);
  EXPECT_EQ(t.received(1, 3, 5), Delivery::unknown);  // never sent
  EXPECT_EQ(t.received(1, 9, 0), Delivery::unknown);  // unknown sender
  EXPECT_EQ(t.received(2, 3, 0), Delivery::first);    // client 2 is no recipient of a dm to 1
  EXPECT_EQ(t.received(1, 3, 0), Delivery::first);
  const auto c = t.reconcile();
  EXPECT_EQ(c.unknown, 2U);
  EXPECT_EQ(c.unexpected, 1U);
  EXPECT_EQ(c.delivered, 1U);
  EXPECT_EQ(c.lost, 0U);
}

TEST(LoadgenTracker, ManyMessagesOutOfOrderAcrossBitmapWords) {
  DeliveryTracker t(test_recipients);
  const std::uint64_t total = 10000;
  for (std::uint64_t n = 0; n < total; ++n) t.sent(5, n, 0);
  // Reverse order, every 97th lost, every 13th twice.
  for (std::uint64_t n = total; n-- > 0;) {
    if (n % 97 == 0) continue;
    EXPECT_EQ(t.received(1, 5, n), Delivery::first);
    if (n % 13 == 0) {
      EXPECT_EQ(t.received(1, 5, n), Delivery::duplicate);
    }
  }
  const auto c = t.reconcile();
  const std::uint64_t lost = (total + 96) / 97;
  std::uint64_t dups = 0;
  for (std::uint64_t n = 0; n < total; ++n) {
    if (n % 13 == 0 && n % 97 != 0) ++dups;
  }
  EXPECT_EQ(c.expected, total);
  EXPECT_EQ(c.lost, lost);
  EXPECT_EQ(c.delivered, total - lost);
  EXPECT_EQ(c.duplicates, dups);
  EXPECT_EQ(t.firsts(), total - lost);
}

TEST(LoadgenTracker, DestinationWithoutRecipientsExpectsNothing) {
  DeliveryTracker t(test_recipients);
  EXPECT_EQ(t.sent(0, 0, 2), 0U);
  EXPECT_EQ(t.reconcile().expected, 0U);
  EXPECT_EQ(t.reconcile().messages, 1U);
}

// ------------------------------------------------------------------ population

TEST(LoadgenPopulation, ClientsGroupsAndRecipients) {
  const Population p(
      PopulationShape{.users = 5, .devices = 2, .groups = 3, .group_size = 3, .uid_base = 100, .chat_base = 40});
  EXPECT_EQ(p.clients(), 10U);
  EXPECT_EQ(p.client_id(3), "101:d1");
  EXPECT_EQ(p.user_of(3), 1U);
  EXPECT_EQ(p.device_of(3), 1U);
  EXPECT_EQ(p.client(4, 1), 9U);
  std::uint32_t user = 0;
  EXPECT_TRUE(p.user_index(104, user));
  EXPECT_EQ(user, 4U);
  EXPECT_FALSE(p.user_index(105, user));
  EXPECT_FALSE(p.user_index(99, user));
  std::uint32_t group = 0;
  EXPECT_TRUE(p.group_index(42, group));
  EXPECT_EQ(group, 2U);
  EXPECT_FALSE(p.group_index(43, group));
  // Group g: users (g*3 + j) mod 5.
  EXPECT_EQ(p.members(0), (std::vector<std::uint32_t>{0, 1, 2}));
  EXPECT_EQ(p.members(1), (std::vector<std::uint32_t>{0, 3, 4}));
  EXPECT_EQ(p.members(2), (std::vector<std::uint32_t>{1, 2, 3}));
  EXPECT_EQ(p.groups_of(0), (std::vector<std::uint32_t>{0, 1}));
  // A dm reaches both devices of the user; a group every device of every member.
  const auto dm = p.recipients(p.direct_to(2));
  EXPECT_EQ(std::vector<std::uint32_t>(dm.begin(), dm.end()), (std::vector<std::uint32_t>{4, 5}));
  const auto g = p.recipients(p.group_dest(1));
  EXPECT_EQ(std::vector<std::uint32_t>(g.begin(), g.end()), (std::vector<std::uint32_t>{0, 1, 6, 7, 8, 9}));
  EXPECT_EQ(p.topic(p.direct_to(2), 0), "dm/102/msg/100");
  EXPECT_EQ(p.topic(p.group_dest(1), 3), "g/41/msg/103");
  EXPECT_EQ(p.subscriptions(1), (std::vector<std::string>{"dm/100/#", "g/40/#", "g/41/#"}));
}

TEST(LoadgenPopulation, RefusesImpossibleShapes) {
  EXPECT_THROW(Population(PopulationShape{.users = 0}), std::invalid_argument);
  EXPECT_THROW(Population(PopulationShape{.users = 2, .devices = 0}), std::invalid_argument);
  EXPECT_THROW(Population(PopulationShape{.users = 2, .groups = 1, .group_size = 3}), std::invalid_argument);
  EXPECT_THROW(Population(PopulationShape{.users = 2, .groups = 1, .group_size = 0}), std::invalid_argument);
  EXPECT_THROW(Population(PopulationShape{.users = 1U << 20, .devices = 2}), std::invalid_argument);
  EXPECT_THROW(Population(PopulationShape{.users = 2, .uid_base = 0}), std::invalid_argument);
}

TEST(LoadgenPopulation, PickerNeverWritesToItselfAndHonoursTheGroupShare) {
  const Population p(PopulationShape{.users = 4, .groups = 2, .group_size = 2});
  DestinationPicker dms(p, 0.0, 7);
  DestinationPicker groups(p, 1.0, 7);
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 2000; ++i) {
    std::uint32_t dest = 0;
    ASSERT_TRUE(dms.pick(1, dest));
    EXPECT_FALSE(p.is_group(dest));
    EXPECT_NE(dest, p.direct_to(1));
    seen.insert(dest);
    ASSERT_TRUE(groups.pick(1, dest));  // user 1 is in group 0 only
    EXPECT_EQ(dest, p.group_dest(0));
  }
  EXPECT_EQ(seen, (std::set<std::uint32_t>{0, 2, 3}));  // every other user, uniformly enough to see all

  DestinationPicker a(p, 0.5, 42);
  DestinationPicker b(p, 0.5, 42);
  for (int i = 0; i < 100; ++i) {
    std::uint32_t da = 0;
    std::uint32_t db = 0;
    ASSERT_TRUE(a.pick(0, da));
    ASSERT_TRUE(b.pick(0, db));
    EXPECT_EQ(da, db);  // deterministic for a seed
  }

  const Population alone(PopulationShape{.users = 1, .groups = 1, .group_size = 1});
  DestinationPicker only_group(alone, 0.0, 1);
  std::uint32_t dest = 0;
  ASSERT_TRUE(only_group.pick(0, dest));
  EXPECT_EQ(dest, alone.group_dest(0));
  const Population nobody(PopulationShape{.users = 1});
  DestinationPicker none(nobody, 0.0, 1);
  EXPECT_FALSE(none.pick(0, dest));
}

// ------------------------------------------------------------------ options

ParseResult parse(const std::vector<std::string>& args) { return parse_options(args); }

TEST(LoadgenOptions, DefaultsAndBothSpellings) {
  auto r = parse({"--mode", "plain"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.options.mode, Mode::plain);
  EXPECT_EQ(r.options.messages, 10000U);
  EXPECT_EQ(r.options.qos, 1);
  EXPECT_EQ(r.options.group_share, 0.0);

  r = parse({"--mode=fanout",
             "--plain",
             "--users=50",
             "--groups",
             "2",
             "--group-size=10",
             "--duration",
             "2.5",
             "--rate",
             "1000",
             "--qos",
             "0",
             "--inflight",
             "7",
             "--payload-bytes",
             "512",
             "--mqtt-version",
             "3",
             "--json",
             "--strict",
             "--broker-pid",
             "123",
             "--uri",
             "tcp://127.0.0.1:5"});
  ASSERT_EQ(r.error, "");
  const auto& o = r.options;
  EXPECT_EQ(o.mode, Mode::fanout);
  EXPECT_TRUE(o.plain_baseline);
  EXPECT_EQ(o.users, 50U);
  EXPECT_EQ(o.groups, 2U);
  EXPECT_EQ(o.group_size, 10U);
  EXPECT_EQ(o.group_share, 0.5);  // the default with groups
  EXPECT_EQ(o.messages, 0U);
  EXPECT_EQ(o.duration_s, 2.5);
  EXPECT_EQ(o.rate, 1000.0);
  EXPECT_EQ(o.qos, 0);
  EXPECT_EQ(o.inflight, 7U);
  EXPECT_EQ(o.payload_bytes, 512U);
  EXPECT_EQ(o.mqtt_version, 3);
  EXPECT_TRUE(o.json);
  EXPECT_TRUE(o.strict);
  EXPECT_EQ(o.broker_pid, 123);
  EXPECT_EQ(o.uri, "tcp://127.0.0.1:5");

  for (const char* m : {"plain", "platform", "connect-storm", "fanout", "sync"}) {
    const auto mode = parse_mode(m);
    ASSERT_TRUE(mode.has_value()) << m;
    EXPECT_EQ(mode_name(*mode), m);
  }
  EXPECT_TRUE(parse({"--help"}).options.help);
  EXPECT_FALSE(usage().empty());
}

TEST(LoadgenOptions, RefusesWhatCannotRun) {
  const std::vector<std::vector<std::string>> bad{
      {},
      {"--mode", "nope"},
      {"--mode", "plain", "--bogus"},
      {"--mode", "plain", "--users"},
      {"--mode", "plain", "--users", "0"},
      {"--mode", "plain", "--users", "-3"},
      {"--mode", "plain", "--users", "12x"},
      {"--mode", "plain", "--qos", "2"},
      {"--mode", "plain", "--mqtt-version", "4"},
      {"--mode", "plain", "--messages", "5", "--duration", "1"},
      {"--mode", "plain", "--groups", "2"},
      {"--mode", "plain", "--users", "5", "--groups", "1", "--group-size", "6"},
      {"--mode", "plain", "--group-share", "1.5"},
      {"--mode", "plain", "--users", "1"},
      {"--mode", "plain", "--senders", "200"},
      {"--mode", "plain", "--json=yes"},
      {"--mode", "plain", "--rate", "nan"},
      {"--mode", "plain", "--procs", "2"},
      {"--mode", "sync", "--shape", "pairs"},
      {"--mode", "plain", "--window", "0"},
      {"--mode", "plain", "--request-load", "5"},
      {"--mode", "sync", "--plain", "--request-load", "5"},
      {"--mode", "sync", "--request-load", "-1"},
  };
  for (const auto& args : bad) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_NE(parse(args).error, "") << joined;
  }
  EXPECT_EQ(parse({"--mode", "sync", "--plain", "--groups", "20"}).error, "");  // chats need no group size
  EXPECT_EQ(parse({"--mode", "sync", "--groups", "20", "--request-load", "100"}).options.request_load, 100);
}

// ---- catch-up through requests (sync mode) -------------------------------------------

std::string sync_answer(const std::string& id, const nlohmann::json& chats, bool more) {
  return nlohmann::json{
      {"id", id}, {"ok", true}, {"result", {{"chats", chats}, {"membership", nlohmann::json::array()}, {"more", more}}}}
      .dump();
}

nlohmann::json messages(std::uint64_t from, std::uint64_t to) {
  nlohmann::json list = nlohmann::json::array();
  for (auto seq = from; seq <= to; ++seq) list.push_back({{"seq", seq}, {"id", "m" + std::to_string(seq)}});
  return list;
}

TEST(LoadgenCatchUp, ListsPageByPageThenSyncsFromTheCursorsItHolds) {
  CatchUp c;
  EXPECT_EQ(nlohmann::json::parse(c.chat_list_request("l1")),
            nlohmann::json::parse(R"({"id":"l1","op":"chat.list","args":{"after":0}})"));
  ASSERT_TRUE(c.take_chat_list(
      R"({"id":"l1","ok":true,"result":{"chats":[{"id":5,"last_seq":3},{"id":9,"last_seq":2}],"more":true}})"));
  EXPECT_FALSE(c.listing_done());
  EXPECT_EQ(nlohmann::json::parse(c.chat_list_request("l2"))["args"]["after"], 9);
  ASSERT_TRUE(c.take_chat_list(R"({"id":"l2","ok":true,"result":{"chats":[{"id":12,"last_seq":0}],"more":false}})"));
  EXPECT_TRUE(c.listing_done());
  EXPECT_EQ(c.chats(), 3U);
  EXPECT_EQ(c.expected(), 5U);

  EXPECT_EQ(nlohmann::json::parse(c.sync_request("s1"))["args"]["cursors"],
            nlohmann::json::parse(R"({"5":0,"9":0,"12":0})"));
  ASSERT_TRUE(c.take_sync(sync_answer("s1", {{{"chat", 5}, {"messages", messages(1, 2)}, {"more", true}}}, true)));
  EXPECT_FALSE(c.sync_done());
  EXPECT_EQ(nlohmann::json::parse(c.sync_request("s2"))["args"]["cursors"]["5"], 2);
  ASSERT_TRUE(c.take_sync(sync_answer("s2",
                                      {{{"chat", 5}, {"messages", messages(3, 3)}, {"more", false}},
                                       {{"chat", 9}, {"messages", messages(1, 2)}, {"more", false}}},
                                      false)));
  EXPECT_TRUE(c.sync_done());
  EXPECT_EQ(c.received(), 5U);
  EXPECT_EQ(c.missing(), 0U);
  EXPECT_EQ(c.out_of_order(), 0U);
  EXPECT_EQ(c.sync_requests(), 2U);
  EXPECT_EQ(c.list_requests(), 2U);
}

TEST(LoadgenCatchUp, CountsGapsAndRefusesFailedAnswers) {
  CatchUp c;
  ASSERT_TRUE(c.take_chat_list(R"({"id":"l1","ok":true,"result":{"chats":[{"id":5,"last_seq":4}],"more":false}})"));
  nlohmann::json skipping = messages(1, 1);
  skipping.push_back({{"seq", 3}});
  ASSERT_TRUE(c.take_sync(sync_answer("s1", {{{"chat", 5}, {"messages", skipping}, {"more", false}}}, false)));
  EXPECT_EQ(c.out_of_order(), 1U);
  EXPECT_EQ(c.missing(), 1U) << "seq 4 never came";
  EXPECT_FALSE(c.take_sync(R"({"id":"s2","ok":false,"error":{"code":"internal","message":"busy"}})"));
  EXPECT_FALSE(c.take_chat_list("not json"));
  EXPECT_EQ(CatchUp::answer_id(R"({"id":"s9","ok":true})"), "s9");
  EXPECT_FALSE(CatchUp::answer_id(R"({"id":null,"ok":false})"));
}

// ------------------------------------------------------------------ cpu

TEST(LoadgenCpu, ParsesProcStatWithAnAwkwardCommandName) {
  const std::string stat =
      "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 3 0 12345 100000 200 "
      "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
  EXPECT_EQ(parse_proc_stat_ticks(stat), std::optional<std::uint64_t>(325));
  const auto fields = parse_proc_stat(stat);
  ASSERT_TRUE(fields.has_value());
  EXPECT_EQ(fields->ppid, 1);
  EXPECT_EQ(fields->utime, 250U);
  EXPECT_EQ(fields->stime, 75U);
  EXPECT_EQ(fields->cutime, 0U);
  EXPECT_EQ(fields->cstime, 0U);
  EXPECT_FALSE(parse_proc_stat_ticks("4242 (x) S 1 2").has_value());
  EXPECT_FALSE(parse_proc_stat_ticks("no parenthesis").has_value());
  EXPECT_FALSE(parse_proc_stat_ticks("1 (x) S 1 1 1 0 -1 0 0 0 0 0 ab 7 0").has_value());
}

TEST(LoadgenCpu, ReadsTcpExtCounters) {
  const std::string netstat =
      "TcpExt: SyncookiesSent SyncookiesRecv ListenOverflows ListenDrops\n"
      "TcpExt: 0 1 205 206\n"
      "IpExt: InNoRoutes ListenOverflows\n"
      "IpExt: 9 9\n";
  EXPECT_EQ(parse_tcp_ext_counter(netstat, "ListenOverflows"), std::optional<std::uint64_t>(205));
  EXPECT_EQ(parse_tcp_ext_counter(netstat, "ListenDrops"), std::optional<std::uint64_t>(206));
  EXPECT_EQ(parse_tcp_ext_counter(netstat, "SyncookiesSent"), std::optional<std::uint64_t>(0));
  EXPECT_FALSE(parse_tcp_ext_counter(netstat, "InNoRoutes").has_value());  // not a TcpExt counter
  EXPECT_FALSE(parse_tcp_ext_counter(netstat, "Nope").has_value());
  EXPECT_FALSE(parse_tcp_ext_counter("TcpExt: A B\nTcpExt: 1\n", "B").has_value());
  EXPECT_FALSE(parse_tcp_ext_counter("TcpExt: A\n", "A").has_value());
  EXPECT_FALSE(parse_tcp_ext_counter("", "A").has_value());
  EXPECT_TRUE(read_tcp_ext_counter("ListenOverflows").has_value());  // Linux has it
}

TEST(LoadgenCpu, MeasuresThisProcess) {
  const double before = self_cpu_seconds();
  volatile std::uint64_t sink = 0;
  for (std::uint64_t i = 0; i < 20'000'000; ++i) sink = sink + i;
  EXPECT_GE(self_cpu_seconds(), before);
  EXPECT_TRUE(process_cpu_seconds(getpid()).has_value());
  EXPECT_FALSE(process_cpu_seconds(-1).has_value());
  EXPECT_GE(process_tree_cpu_seconds(getpid()).value_or(-1), process_cpu_seconds(getpid()).value_or(0));
  EXPECT_FALSE(process_tree_cpu_seconds(-1).has_value());
}

// A child's CPU counts for its parent's tree while it lives and after it was waited for.
TEST(LoadgenCpu, TreeCountsChildrenLivingAndReaped) {
  const double before = process_tree_cpu_seconds(getpid()).value_or(-1);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const double t0 = self_cpu_seconds();
    volatile std::uint64_t sink = 0;
    while (self_cpu_seconds() - t0 < 0.3) sink = sink + 1;  // 0.3 s of CPU, then exit
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_GE(process_tree_cpu_seconds(getpid()).value_or(0) - before, 0.25) << "the reaped child's CPU";
}

// ------------------------------------------------------------------ report and worker results

TEST(LoadgenReport, JsonCarriesParamsFiguresAndNotes) {
  Report r("plain");
  r.param("uri", "tcp://x");
  r.param("users", 10);
  r.figure("msgs_per_s", 1234.5, "msg/s", "throughput");
  Histogram h;
  for (std::uint64_t v = 100; v <= 300; v += 100) h.record(v);  // buckets are exact below 256 µs
  r.latency("e2e", h, "latency");
  r.note("ack is PUBACK");
  const auto j = nlohmann::json::parse(r.json());
  EXPECT_EQ(j.at("mode"), "plain");
  EXPECT_EQ(j.at("available"), true);
  EXPECT_EQ(j.at("params").at("uri"), "tcp://x");
  EXPECT_EQ(j.at("params").at("users"), 10);
  EXPECT_EQ(j.at("figures").at("msgs_per_s"), 1234.5);
  EXPECT_EQ(j.at("figures").at("e2e_p50_ms"), 0.2);
  EXPECT_EQ(j.at("figures").at("e2e_max_ms"), 0.3);  // the max is exact
  EXPECT_EQ(j.at("figures").at("e2e_samples"), 3);
  EXPECT_EQ(j.at("notes").at(0), "ack is PUBACK");
  EXPECT_EQ(r.value("msgs_per_s"), 1234.5);
  EXPECT_EQ(r.value("absent"), 0.0);
  EXPECT_NE(r.human().find("throughput"), std::string::npos);
  EXPECT_FALSE(j.contains("windows")) << "no table, no key";

  // A table: one JSON object per row, keyed by the columns; a table in the human summary.
  r.table("windows", "per window", {"t_s", "acked_per_s"}, {{0, 100}, {10, 95.5}});
  const auto t = nlohmann::json::parse(r.json());
  ASSERT_EQ(t.at("windows").size(), 2U);
  EXPECT_EQ(t.at("windows").at(1).at("t_s"), 10);
  EXPECT_EQ(t.at("windows").at(1).at("acked_per_s"), 95.5);
  EXPECT_NE(r.human().find("per window:"), std::string::npos);
  EXPECT_NE(r.human().find("95.500"), std::string::npos);

  Report na("platform");
  na.set_available(false, "the bridge has not landed");
  const auto k = nlohmann::json::parse(na.json());
  EXPECT_EQ(k.at("available"), false);
  EXPECT_EQ(k.at("reason"), "the bridge has not landed");
  EXPECT_NE(na.human().find("not available: the bridge has not landed"), std::string::npos);
}

TEST(LoadgenResults, RatesRunToTheLastAckAndDelivery) {
  RunTotals a;
  a.t0_us = 1'000'000;
  a.end_us = 3'500'000;
  a.last_ack_us = 2'000'000;
  a.last_delivery_us = 3'000'000;
  a.acked = 1000;
  a.counts = DeliveryCounts{.messages = 1000, .expected = 1000, .delivered = 998, .lost = 2, .duplicates = 1};
  EXPECT_DOUBLE_EQ(a.acked_per_s(), 1000.0);      // 1000 acked over 1 s
  EXPECT_DOUBLE_EQ(a.deliveries_per_s(), 499.0);  // 998 over 2 s
  EXPECT_DOUBLE_EQ(a.wall_s(), 2.5);
  EXPECT_DOUBLE_EQ(RunTotals{}.acked_per_s(), 0.0) << "nothing happened: no rate, no division by zero";
}

}  // namespace
}  // namespace chat::loadgen
