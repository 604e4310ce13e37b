#include "chat/loadgen/report.hpp"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace chat::loadgen {
namespace {

std::string format_value(double v) {
  char buf[64];
  if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (std::fabs(v) >= 100) {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.3f", v);
  }
  return buf;
}

}  // namespace

void Report::param(std::string key, std::string value) {
  string_params_.emplace_back(std::move(key), std::move(value));
}
void Report::param(std::string key, double value) { number_params_.emplace_back(std::move(key), value); }

void Report::figure(std::string key, double value, std::string unit, std::string label) {
  figures_.push_back(Figure{std::move(key), value, std::move(unit), std::move(label)});
}

void Report::latency(const std::string& prefix, const Histogram& micros, const std::string& label) {
  const auto s = summarize(micros);
  const auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1000.0; };
  figure(prefix + "_samples", static_cast<double>(s.count), "", label + ": samples");
  figure(prefix + "_p50_ms", ms(s.p50), "ms", label + ": p50");
  figure(prefix + "_p95_ms", ms(s.p95), "ms", label + ": p95");
  figure(prefix + "_p99_ms", ms(s.p99), "ms", label + ": p99");
  figure(prefix + "_max_ms", ms(s.max), "ms", label + ": max");
}

void Report::table(std::string key, std::string label, std::vector<std::string> columns,
                   std::vector<std::vector<double>> rows) {
  tables_.push_back(Table{std::move(key), std::move(label), std::move(columns), std::move(rows)});
}

void Report::note(std::string text) { notes_.push_back(std::move(text)); }

void Report::set_available(bool available, std::string reason) {
  available_ = available;
  reason_ = std::move(reason);
}

double Report::value(std::string_view key) const {
  for (const auto& f : figures_) {
    if (f.key == key) return f.value;
  }
  return 0;
}

std::string Report::human() const {
  std::string out = "chat-loadgen: mode " + mode_ + "\n";
  if (!available_) return out + "not available: " + reason_ + "\n";
  std::string params;
  for (const auto& [k, v] : string_params_) params.append(" ").append(k).append("=").append(v);
  for (const auto& [k, v] : number_params_) params += " " + k + "=" + format_value(v);
  if (!params.empty()) out += " params:" + params + "\n";
  std::size_t width = 0;
  for (const auto& f : figures_) width = std::max(width, f.label.size());
  for (const auto& f : figures_) {
    out += "  " + f.label + std::string(width - f.label.size(), ' ') + "  " + format_value(f.value);
    if (!f.unit.empty()) out += " " + f.unit;
    out += "\n";
  }
  for (const auto& t : tables_) {
    out += " " + t.label + ":\n ";
    for (const auto& c : t.columns) out += " " + std::string(c.size() < 10 ? 10 - c.size() : 0, ' ') + c;
    out += "\n";
    for (const auto& row : t.rows) {
      out += " ";
      for (std::size_t i = 0; i < row.size(); ++i) {
        const auto v = format_value(row[i]);
        const auto w = std::max<std::size_t>(10, i < t.columns.size() ? t.columns[i].size() : 10);
        out += " " + std::string(v.size() < w ? w - v.size() : 0, ' ') + v;
      }
      out += "\n";
    }
  }
  for (const auto& n : notes_) out += " note: " + n + "\n";
  return out;
}

std::string Report::json() const {
  nlohmann::ordered_json j;
  j["mode"] = mode_;
  j["available"] = available_;
  if (!available_) {
    j["reason"] = reason_;
    return j.dump();
  }
  auto& params = j["params"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : string_params_) params[k] = v;
  for (const auto& [k, v] : number_params_) params[k] = v;
  auto& figures = j["figures"] = nlohmann::ordered_json::object();
  for (const auto& f : figures_) figures[f.key] = f.value;
  for (const auto& t : tables_) {
    auto& rows = j[t.key] = nlohmann::ordered_json::array();
    for (const auto& row : t.rows) {
      nlohmann::ordered_json r = nlohmann::ordered_json::object();
      for (std::size_t i = 0; i < row.size() && i < t.columns.size(); ++i) r[t.columns[i]] = row[i];
      rows.push_back(std::move(r));
    }
  }
  j["notes"] = notes_;
  return j.dump();
}

}  // namespace chat::loadgen
