#pragma once
// The gateway's logs: one JSON object per line on stderr, as the bridge writes them,
//   {"ts":"2026-12-03T11:30:00.123Z","level":"info","msg":"listening","port":9001}
// The gateway runs on one thread, so the logger needs no lock.
#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string_view>

namespace chat::gateway {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };
std::optional<LogLevel> parse_log_level(std::string_view text);

class Logger {
 public:
  Logger(std::ostream& out, LogLevel level) : out_(out), level_(level) {}
  bool enabled(LogLevel level) const { return level >= level_; }
  void log(LogLevel level, std::string_view msg, nlohmann::json fields = nlohmann::json::object());
  void debug(std::string_view msg, nlohmann::json fields = nlohmann::json::object()) {
    log(LogLevel::debug, msg, std::move(fields));
  }
  void info(std::string_view msg, nlohmann::json fields = nlohmann::json::object()) {
    log(LogLevel::info, msg, std::move(fields));
  }
  void warn(std::string_view msg, nlohmann::json fields = nlohmann::json::object()) {
    log(LogLevel::warn, msg, std::move(fields));
  }
  void error(std::string_view msg, nlohmann::json fields = nlohmann::json::object()) {
    log(LogLevel::error, msg, std::move(fields));
  }

 private:
  std::ostream& out_;
  LogLevel level_;
};

}  // namespace chat::gateway
