#pragma once
// The figures of one run: a human summary and one JSON object for scripts/bench.sh.
#include "chat/loadgen/histogram.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat::loadgen {

class Report {
 public:
  explicit Report(std::string mode) : mode_(std::move(mode)) {}

  // Parameters of the run (echoed so a figure can be reproduced).
  void param(std::string key, std::string value);
  void param(std::string key, double value);
  // A figure: JSON key, value, unit, human label.
  void figure(std::string key, double value, std::string unit, std::string label);
  // p50/p95/p99/max (+ count) of a histogram of microseconds, reported in milliseconds
  // under `<prefix>_p50_ms` etc.
  void latency(const std::string& prefix, const Histogram& micros, const std::string& label);
  // A table of figures (e.g. one row per time window): in JSON an array of objects under
  // `key`, one per row; in the human summary a table under `label`.
  void table(std::string key, std::string label, std::vector<std::string> columns,
             std::vector<std::vector<double>> rows);
  void note(std::string text);
  void set_available(bool available, std::string reason = {});

  std::string human() const;
  std::string json() const;

  // A figure's value, for tests and for the exit code; 0 when absent.
  double value(std::string_view key) const;

 private:
  struct Figure {
    std::string key;
    double value;
    std::string unit;
    std::string label;
  };
  std::string mode_;
  bool available_ = true;
  std::string reason_;
  std::vector<std::pair<std::string, std::string>> string_params_;
  std::vector<std::pair<std::string, double>> number_params_;
  std::vector<Figure> figures_;
  struct Table {
    std::string key;
    std::string label;
    std::vector<std::string> columns;
    std::vector<std::vector<double>> rows;
  };
  std::vector<Table> tables_;
  std::vector<std::string> notes_;
};

}  // namespace chat::loadgen
