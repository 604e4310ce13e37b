// chat-loadgen's core, no broker, no network. The run's JSON report: parameters, figures and notes.
#include "chat/loadgen/report.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace chat::loadgen {
namespace {

TEST(LoadgenReport, JsonCarriesParamsFiguresAndNotes) {
  Report r("plain");
  r.param("uri", "tcp://x");
  r.param("users", 10);
  r.figure("msgs_per_s", 1234.5, "msg/s", "throughput");
  Histogram h;
  for (std::uint64_t v = 100; v <= 300; v += 100) h.record(v);  // buckets are exact below 256 µs
  r.latency("e2e", h, "latency");
  r.note("ack is PUBACK");
  const auto j = nlohmann::json::parse(r.json());
  EXPECT_EQ(j.at("mode"), "plain");
  EXPECT_EQ(j.at("available"), true);
  EXPECT_EQ(j.at("params").at("uri"), "tcp://x");
  EXPECT_EQ(j.at("params").at("users"), 10);
  EXPECT_EQ(j.at("figures").at("msgs_per_s"), 1234.5);
  EXPECT_EQ(j.at("figures").at("e2e_p50_ms"), 0.2);
  EXPECT_EQ(j.at("figures").at("e2e_max_ms"), 0.3);  // the max is exact
  EXPECT_EQ(j.at("figures").at("e2e_samples"), 3);
  EXPECT_EQ(j.at("notes").at(0), "ack is PUBACK");
  EXPECT_EQ(r.value("msgs_per_s"), 1234.5);
  EXPECT_EQ(r.value("absent"), 0.0);
  EXPECT_NE(r.human().find("throughput"), std::string::npos);
  EXPECT_FALSE(j.contains("windows")) << "no table, no key";

  // A table: one JSON object per row, keyed by the columns; a table in the human summary.
  r.table("windows", "per window", {"t_s", "acked_per_s"}, {{0, 100}, {10, 95.5}});
  const auto t = nlohmann::json::parse(r.json());
  ASSERT_EQ(t.at("windows").size(), 2U);
  EXPECT_EQ(t.at("windows").at(1).at("t_s"), 10);
  EXPECT_EQ(t.at("windows").at(1).at("acked_per_s"), 95.5);
  EXPECT_NE(r.human().find("per window:"), std::string::npos);
  EXPECT_NE(r.human().find("95.500"), std::string::npos);

  Report na("platform");
  na.set_available(false, "the bridge has not landed");
  const auto k = nlohmann::json::parse(na.json());
  EXPECT_EQ(k.at("available"), false);
  EXPECT_EQ(k.at("reason"), "the bridge has not landed");
  EXPECT_NE(na.human().find("not available: the bridge has not landed"), std::string::npos);
}

}  // namespace
}  // namespace chat::loadgen
