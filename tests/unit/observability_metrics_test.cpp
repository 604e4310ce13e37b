// Prometheus text rendering: counters, gauges, histograms, labels and their escaping.
#include "chat/observability/metrics.hpp"

#include <gtest/gtest.h>

namespace chat::observability {
namespace {

TEST(Metrics, RendersCountersGaugesAndLabels) {
  Registry r;
  r.counter("chat_x_total", "Things").inc(3);
  r.counter("chat_refused_total", "Refused", "error=\"forbidden\"").inc();
  r.counter("chat_refused_total", "", "error=\"not_found\"").inc(2);
  r.gauge("chat_depth", "Depth").set(7);
  r.gauge_fn("chat_read", "Read at render", [] { return 1.5; });
  const std::string text = r.render();
  EXPECT_NE(text.find("# HELP chat_x_total Things\n# TYPE chat_x_total counter\nchat_x_total 3\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE chat_refused_total counter\nchat_refused_total{error=\"forbidden\"} 1\n"
                      "chat_refused_total{error=\"not_found\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("chat_depth 7\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE chat_read gauge\nchat_read 1.5\n"), std::string::npos);
}

TEST(Metrics, HistogramsAreCumulative) {
  Registry r;
  Histogram& h = r.histogram("chat_latency_seconds", "Latency", {0.01, 0.001, 0.1});
  h.observe(0.0005);
  h.observe(0.001);  // on a bound: counts in that bucket (le)
  h.observe(0.05);
  h.observe(3);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_DOUBLE_EQ(h.sum(), 3.0515);
  const std::string text = r.render();
  EXPECT_NE(text.find("# TYPE chat_latency_seconds histogram\n"
                      "chat_latency_seconds_bucket{le=\"0.001\"} 2\n"
                      "chat_latency_seconds_bucket{le=\"0.01\"} 2\n"
                      "chat_latency_seconds_bucket{le=\"0.1\"} 3\n"
                      "chat_latency_seconds_bucket{le=\"+Inf\"} 4\n"
                      "chat_latency_seconds_sum 3.0515\n"
                      "chat_latency_seconds_count 4\n"),
            std::string::npos)
      << text;
}

TEST(Metrics, FormatsValues) {
  EXPECT_EQ(format_metric_value(0), "0");
  EXPECT_EQ(format_metric_value(12345678), "12345678");
  EXPECT_EQ(format_metric_value(0.25), "0.25");
  EXPECT_EQ(format_metric_value(1.0 / 0.0), "+Inf");
}

TEST(Metrics, LabelsAreEscapedAndCountersReadBack) {
  EXPECT_EQ(metric_labels({{"route", "/a/{id}"}, {"q", "say \"hi\"\\\n"}}), R"(route="/a/{id}",q="say \"hi\"\\\n")");
  Registry registry;
  EXPECT_EQ(registry.counter_value("x_total"), std::nullopt);
  registry.counter("x_total", "help", metric_labels({{"k", "v"}})).inc(3);
  EXPECT_EQ(registry.counter_value("x_total", R"(k="v")"), 3u);
  EXPECT_EQ(registry.counter_value("x_total"), std::nullopt);
  EXPECT_EQ(render_gauge("g", "a gauge", 1234), "# HELP g a gauge\n# TYPE g gauge\ng 1234\n");
}

}  // namespace
}  // namespace chat::observability
