#include "chat/observability/log.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>

namespace chat::observability {
namespace {

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "info";
}

std::string iso_time(std::int64_t epoch_ms) {
  const auto seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out(buffer, n);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(epoch_ms % 1000));
  return out + millis;
}

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view text) {
  if (text == "debug") return LogLevel::debug;
  if (text == "info") return LogLevel::info;
  if (text == "warn" || text == "warning") return LogLevel::warn;
  if (text == "error") return LogLevel::error;
  return std::nullopt;
}

std::string format_log_line(std::int64_t epoch_ms, LogLevel level, std::string_view msg,
                            std::initializer_list<LogField> fields) {
  // ordered_json keeps ts, level, msg first, then the fields as given.
  nlohmann::ordered_json line;
  line["ts"] = iso_time(epoch_ms);
  line["level"] = level_name(level);
  line["msg"] = std::string(msg);
  for (const LogField& field : fields) {
    auto& slot = line[std::string(field.key)];
    std::visit([&](const auto& value) { slot = value; }, field.value);
  }
  // Invalid UTF-8 (a payload quoted in a message) is replaced, never thrown.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Logger::log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (!enabled(level)) return;
  const auto now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const std::string line = format_log_line(now, level, msg, fields);
  std::lock_guard lock(mutex_);
  out_ << line << '\n';
  out_.flush();
}

}  // namespace chat::observability
