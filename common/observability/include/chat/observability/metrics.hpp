#pragma once
// Prometheus metrics: counters, gauges and histograms that threads update
// lock-free, rendered in the text exposition format (version 0.0.4). One
// registry per program: the /metrics of chat-bridge, chat-admin and chat-gateway.
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chat::observability {

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Cumulative buckets by upper bound; observe() is O(buckets), lock-free.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  const std::vector<double>& bounds() const { return bounds_; }
  // Per bucket (not cumulative), the last one is +Inf.
  std::vector<std::uint64_t> bucket_counts() const;
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Families by name; each metric of a family has its own label set
// (`reason="not_member"`). Registering is done at start; the returned
// references stay valid for the registry's life.
class Registry {
 public:
  Counter& counter(const std::string& name, const std::string& help, const std::string& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const std::string& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, std::vector<double> bounds,
                       const std::string& labels = {});
  // A gauge read at render time (queue depths and the like).
  void gauge_fn(const std::string& name, const std::string& help, std::function<double()> read);

  // The value of a counter that exists; nullopt when it was never registered.
  std::optional<std::uint64_t> counter_value(const std::string& name, const std::string& labels = {}) const;

  std::string render() const;

 private:
  enum class Type { counter, gauge, histogram };
  struct Family {
    Type type = Type::counter;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
    std::function<double()> read;
  };
  Family& family(const std::string& name, Type type, const std::string& help);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

// A number as Prometheus writes it: integers without a fraction, +Inf, NaN.
std::string format_metric_value(double value);

// A label set `k1="v1",k2="v2"` with the values escaped (\ " and newline).
std::string metric_labels(std::initializer_list<std::pair<std::string_view, std::string_view>> labels);

// One gauge family with a single value, for values read elsewhere at render
// time and left out when unknown (HELP, TYPE and the sample).
std::string render_gauge(const std::string& name, const std::string& help, double value);

}  // namespace chat::observability
