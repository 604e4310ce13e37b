#pragma once
// Structured logs: one JSON object per line on stderr,
//   {"ts":"2025-11-21T09:30:00.123Z","level":"info","msg":"stored","batch":512}
// Thread-safe; fields are given as key/value pairs.
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>

namespace chat::observability {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };
std::optional<LogLevel> parse_log_level(std::string_view text);

struct LogField {
  using Value = std::variant<std::int64_t, double, bool, std::string>;
  LogField(std::string_view k, std::int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, int v) : key(k), value(std::int64_t{v}) {}
  LogField(std::string_view k, std::uint64_t v) : key(k), value(static_cast<std::int64_t>(v)) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  LogField(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  std::string_view key;
  Value value;
};

// One log line (without the newline), for the tests and the Logger.
std::string format_log_line(std::int64_t epoch_ms, LogLevel level, std::string_view msg,
                            std::initializer_list<LogField> fields);

class Logger {
 public:
  explicit Logger(std::ostream& out, LogLevel level = LogLevel::info) : out_(out), level_(level) {}
  void set_level(LogLevel level) { level_ = level; }
  bool enabled(LogLevel level) const { return level >= level_; }

  void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
  void debug(std::string_view msg, std::initializer_list<LogField> fields = {}) { log(LogLevel::debug, msg, fields); }
  void info(std::string_view msg, std::initializer_list<LogField> fields = {}) { log(LogLevel::info, msg, fields); }
  void warn(std::string_view msg, std::initializer_list<LogField> fields = {}) { log(LogLevel::warn, msg, fields); }
  void error(std::string_view msg, std::initializer_list<LogField> fields = {}) { log(LogLevel::error, msg, fields); }

 private:
  std::mutex mutex_;
  std::ostream& out_;
  LogLevel level_;
};

}  // namespace chat::observability
