// The structured log line: one JSON object a line, filtered by level.
#include "chat/observability/log.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace chat::observability {
namespace {

TEST(Log, OneJsonObjectPerLine) {
  const std::string line = format_log_line(
      1763700000123, LogLevel::warn, "database unavailable",
      {{"attempt", 3}, {"error", "connection refused"}, {"ok", false}, {"pause_ms", std::int64_t{250}}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.rfind(R"({"ts":"2025-11-21T04:40:00.123Z","level":"warn","msg":"database unavailable")", 0), 0u)
      << line;
  const auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json["attempt"], 3);
  EXPECT_EQ(json["error"], "connection refused");
  EXPECT_EQ(json["ok"], false);
  // Invalid UTF-8 in a field does not throw.
  EXPECT_NO_THROW(format_log_line(0, LogLevel::info, "x", {{"topic", "\xff\xfe"}}));
}

TEST(Log, FiltersByLevel) {
  std::ostringstream out;
  Logger log(out, LogLevel::info);
  log.debug("hidden");
  log.info("shown", {{"k", "v"}});
  EXPECT_EQ(out.str().find("hidden"), std::string::npos);
  EXPECT_NE(out.str().find("\"msg\":\"shown\",\"k\":\"v\"}\n"), std::string::npos);
  EXPECT_EQ(parse_log_level("debug"), LogLevel::debug);
  EXPECT_FALSE(parse_log_level("verbose"));
}

}  // namespace
}  // namespace chat::observability
