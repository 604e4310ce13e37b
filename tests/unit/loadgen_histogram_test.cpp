// chat-loadgen's core, no broker, no network. The latency histogram: exact small values, bounded bucket width,
// percentiles, merge, encoding.
#include "chat/loadgen/histogram.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace chat::loadgen {
namespace {

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

}  // namespace
}  // namespace chat::loadgen
