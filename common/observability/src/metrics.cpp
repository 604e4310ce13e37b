#include "chat/observability/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace chat::observability {
namespace {

void add(std::atomic<double>& target, double value) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + value, std::memory_order_relaxed)) {
  }
}

// `name{labels}` or `name`; extra is appended inside the braces.
std::string series(const std::string& name, const std::string& labels, const std::string& extra = {}) {
  std::string inside = labels;
  if (!extra.empty()) inside += (inside.empty() ? "" : ",") + extra;
  return inside.empty() ? name : name + "{" + inside + "}";
}

}  // namespace

std::string format_metric_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

std::string metric_labels(std::initializer_list<std::pair<std::string_view, std::string_view>> labels) {
  std::string out;
  for (const auto& [key, value] : labels) {
    if (!out.empty()) out += ',';
    out += key;
    out += "=\"";
    for (const char c : value) {
      if (c == '\\' || c == '"') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '"';
  }
  return out;
}

std::string render_gauge(const std::string& name, const std::string& help, double value) {
  return "# HELP " + name + ' ' + help + "\n# TYPE " + name + " gauge\n" + name + ' ' + format_metric_value(value) +
         '\n';
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  buckets_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double value) {
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  add(sum_, value);
}

std::vector<std::uint64_t> Histogram::bucket_counts() const {
  std::vector<std::uint64_t> counts(bounds_.size() + 1);
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] = buckets_[i].load(std::memory_order_relaxed);
  return counts;
}

Registry::Family& Registry::family(const std::string& name, Type type, const std::string& help) {
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.type = type;
    it->second.help = help;
  }
  return it->second;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, Type::counter, help).counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, Type::gauge, help).gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help, std::vector<double> bounds,
                               const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, Type::histogram, help).histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(std::move(bounds));
  return *slot;
}

void Registry::gauge_fn(const std::string& name, const std::string& help, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  family(name, Type::gauge, help).read = std::move(read);
}

std::optional<std::uint64_t> Registry::counter_value(const std::string& name, const std::string& labels) const {
  std::lock_guard lock(mutex_);
  const auto family = families_.find(name);
  if (family == families_.end()) return std::nullopt;
  const auto counter = family->second.counters.find(labels);
  if (counter == family->second.counters.end()) return std::nullopt;
  return counter->second->value();
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  for (const auto& [name, f] : families_) {
    const char* type = f.type == Type::counter ? "counter" : f.type == Type::gauge ? "gauge" : "histogram";
    out << "# HELP " << name << ' ' << f.help << '\n' << "# TYPE " << name << ' ' << type << '\n';
    for (const auto& [labels, c] : f.counters) {
      out << series(name, labels) << ' ' << c->value() << '\n';
    }
    for (const auto& [labels, g] : f.gauges) {
      out << series(name, labels) << ' ' << format_metric_value(g->value()) << '\n';
    }
    if (f.read) out << name << ' ' << format_metric_value(f.read()) << '\n';
    for (const auto& [labels, h] : f.histograms) {
      const auto counts = h->bucket_counts();
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        const std::string le = i < h->bounds().size() ? format_metric_value(h->bounds()[i]) : "+Inf";
        out << series(name + "_bucket", labels, "le=\"" + le + "\"") << ' ' << cumulative << '\n';
      }
      out << series(name + "_sum", labels) << ' ' << format_metric_value(h->sum()) << '\n';
      out << series(name + "_count", labels) << ' ' << cumulative << '\n';
    }
  }
  return out.str();
}

}  // namespace chat::observability
