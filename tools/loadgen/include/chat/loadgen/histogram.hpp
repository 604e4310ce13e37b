#pragma once
// A latency histogram with log-linear buckets (the HDR histogram idea): values
// below 2^kSubBits are counted exactly, larger ones in buckets whose width is
// 1/2^kSubBits of their power of two, so any reported percentile is within
// 0.8 % of the true sample. Fixed memory (about 60 KiB), O(1) record, no
// allocation after construction. Not thread-safe: the caller serialises.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat::loadgen {

class Histogram {
 public:
  static constexpr unsigned kSubBits = 7;

  Histogram();

  void record(std::uint64_t value);
  void merge(const Histogram& other);
  void reset();

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const { return max_; }
  double mean() const;

  // The smallest recorded bucket value v such that at least `percent` % of the
  // samples are <= v; reported as the bucket's highest value, clamped to the
  // exact min and max. 0 when empty. percent in [0, 100].
  std::uint64_t percentile(double percent) const;

  // A compact text form ("count min max sum bucket:n bucket:n ..."), so a forked
  // process (--request-load) can hand its histogram to the parent. decode() returns false
  // (leaving *this empty) on malformed text.
  std::string encode() const;
  bool decode(std::string_view text);

  // Bucket arithmetic, public for the tests.
  static std::size_t bucket_of(std::uint64_t value);
  static std::uint64_t bucket_low(std::size_t bucket);
  static std::uint64_t bucket_high(std::size_t bucket);
  static std::size_t bucket_count();

 private:
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

// p50/p95/p99/max of a histogram, the figures every report carries.
struct LatencySummary {
  std::uint64_t count = 0;
  std::uint64_t p50 = 0;
  std::uint64_t p95 = 0;
  std::uint64_t p99 = 0;
  std::uint64_t max = 0;
  double mean = 0;
};

LatencySummary summarize(const Histogram& h);

}  // namespace chat::loadgen
