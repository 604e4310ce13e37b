#include "chat/loadgen/histogram.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace chat::loadgen {
namespace {

constexpr std::uint64_t kSub = std::uint64_t{1} << Histogram::kSubBits;  // 128
// Values with bit width kSubBits+1 .. 64 each get kSub buckets.
constexpr std::size_t kBuckets = static_cast<std::size_t>(kSub) * (64 - Histogram::kSubBits + 1);

}  // namespace

Histogram::Histogram() : buckets_(kBuckets, 0) {}

std::size_t Histogram::bucket_count() { return kBuckets; }

std::size_t Histogram::bucket_of(std::uint64_t value) {
  if (value < kSub) return static_cast<std::size_t>(value);
  const auto width = static_cast<unsigned>(std::bit_width(value));  // >= kSubBits + 1
  const unsigned shift = width - 1 - kSubBits;
  const std::uint64_t sub = (value >> shift) - kSub;  // [0, kSub)
  return static_cast<std::size_t>(kSub * (shift + 1) + sub);
}

std::uint64_t Histogram::bucket_low(std::size_t bucket) {
  const auto b = static_cast<std::uint64_t>(bucket);
  if (b < kSub) return b;
  const std::uint64_t shift = b / kSub - 1;
  const std::uint64_t sub = b % kSub;
  return (kSub + sub) << shift;
}

std::uint64_t Histogram::bucket_high(std::size_t bucket) {
  const auto b = static_cast<std::uint64_t>(bucket);
  if (b < kSub) return b;
  const std::uint64_t shift = b / kSub - 1;
  return bucket_low(bucket) + ((std::uint64_t{1} << shift) - 1);
}

void Histogram::record(std::uint64_t value) {
  ++buckets_[bucket_of(value)];
  if (count_ == 0 || value < min_) min_ = value;
  if (value > max_) max_ = value;
  ++count_;
  sum_ += static_cast<long double>(value);
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void Histogram::reset() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
  min_ = 0;
  max_ = 0;
  sum_ = 0;
}

double Histogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::uint64_t Histogram::percentile(double percent) const {
  if (count_ == 0) return 0;
  percent = std::clamp(percent, 0.0, 100.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(percent / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::clamp(bucket_high(i), min_, max_);
  }
  return max_;
}

std::string Histogram::encode() const {
  std::string out = std::to_string(count_) + " " + std::to_string(min_) + " " + std::to_string(max_) + " ";
  char sum[64];
  std::snprintf(sum, sizeof sum, "%.6Lf", sum_);
  out += sum;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    if (buckets_[i] != 0) out += " " + std::to_string(i) + ":" + std::to_string(buckets_[i]);
  }
  return out;
}

bool Histogram::decode(std::string_view text) {
  reset();
  const auto next = [&text]() {
    const auto start = text.find_first_not_of(' ');
    if (start == std::string_view::npos) {
      text = {};
      return std::string_view{};
    }
    text = text.substr(start);
    const auto end = text.find(' ');
    const auto token = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end);
    return token;
  };
  const auto number = [](std::string_view t, std::uint64_t& v) {
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    return ec == std::errc{} && ptr == t.data() + t.size() && !t.empty();
  };
  std::uint64_t count = 0;
  std::uint64_t mn = 0;
  std::uint64_t mx = 0;
  if (!number(next(), count) || !number(next(), mn) || !number(next(), mx)) return false;
  const std::string sum_text(next());
  char* end = nullptr;
  const long double sum = std::strtold(sum_text.c_str(), &end);
  if (sum_text.empty() || end != sum_text.c_str() + sum_text.size()) return false;
  std::uint64_t total = 0;
  for (auto token = next(); !token.empty(); token = next()) {
    const auto colon = token.find(':');
    std::uint64_t bucket = 0;
    std::uint64_t n = 0;
    if (colon == std::string_view::npos || !number(token.substr(0, colon), bucket) ||
        !number(token.substr(colon + 1), n) || bucket >= buckets_.size()) {
      reset();
      return false;
    }
    buckets_[static_cast<std::size_t>(bucket)] += n;
    total += n;
  }
  if (total != count || (count > 0 && mn > mx)) {
    reset();
    return false;
  }
  count_ = count;
  min_ = count > 0 ? mn : 0;
  max_ = count > 0 ? mx : 0;
  sum_ = sum;
  return true;
}

LatencySummary summarize(const Histogram& h) {
  return LatencySummary{.count = h.count(),
                        .p50 = h.percentile(50),
                        .p95 = h.percentile(95),
                        .p99 = h.percentile(99),
                        .max = h.max(),
                        .mean = h.mean()};
}

}  // namespace chat::loadgen
