// chat-admin's /metrics text (chat/admin/metrics.hpp).
#include "chat/admin/metrics.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chat::admin {
namespace {

bool has_line(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }

TEST(AdminMetrics, RequestsByRouteAndStatusWithLatency) {
  Metrics metrics;
  metrics.observe_request("GET", "/v1/admin/users/{id}", 200, 0.004);
  metrics.observe_request("GET", "/v1/admin/users/{id}", 200, 0.2);
  metrics.observe_request("GET", "/v1/admin/users/{id}", 404, 20.0);
  metrics.media_uploaded("image", true, 1000);
  metrics.media_uploaded("image", false, 1000);
  metrics.media_rejected("too_large");
  metrics.gc_removed(3, 2);
  EXPECT_EQ(metrics.requests("GET", "/v1/admin/users/{id}", 200), 2u);
  const std::string text = metrics.render({std::int64_t{1234}, std::int64_t{5}});
  EXPECT_TRUE(
      has_line(text, R"(chat_admin_http_requests_total{method="GET",route="/v1/admin/users/{id}",status="200"} 2)"));
  EXPECT_TRUE(
      has_line(text, R"(chat_admin_http_requests_total{method="GET",route="/v1/admin/users/{id}",status="404"} 1)"));
  EXPECT_TRUE(
      has_line(text, R"(chat_admin_http_request_duration_seconds_bucket{route="/v1/admin/users/{id}",le="0.005"} 1)"));
  EXPECT_TRUE(
      has_line(text, R"(chat_admin_http_request_duration_seconds_bucket{route="/v1/admin/users/{id}",le="0.25"} 2)"));
  EXPECT_TRUE(
      has_line(text, R"(chat_admin_http_request_duration_seconds_bucket{route="/v1/admin/users/{id}",le="10"} 2)"));
  EXPECT_TRUE(
      has_line(text, R"(chat_admin_http_request_duration_seconds_bucket{route="/v1/admin/users/{id}",le="+Inf"} 3)"));
  EXPECT_TRUE(has_line(text, R"(chat_admin_http_request_duration_seconds_count{route="/v1/admin/users/{id}"} 3)"));
  EXPECT_TRUE(has_line(text, R"(chat_admin_media_uploads_total{kind="image",result="stored"} 1)"));
  EXPECT_TRUE(has_line(text, R"(chat_admin_media_uploads_total{kind="image",result="deduplicated"} 1)"));
  EXPECT_TRUE(has_line(text, "chat_admin_media_upload_bytes_total 2000"));
  EXPECT_TRUE(has_line(text, R"(chat_admin_media_rejected_total{reason="too_large"} 1)"));
  EXPECT_TRUE(has_line(text, R"(chat_admin_media_gc_removed_total{what="uploads"} 3)"));
  EXPECT_TRUE(has_line(text, "chat_admin_media_bytes_stored 1234"));
  EXPECT_TRUE(has_line(text, "chat_admin_media_blobs_stored 5"));
  EXPECT_TRUE(has_line(text, "# TYPE chat_admin_http_request_duration_seconds histogram"));
  // Without the database the gauges are left out, the counters stay.
  const std::string offline = metrics.render({});
  EXPECT_EQ(offline.find("chat_admin_media_bytes_stored"), std::string::npos);
  EXPECT_NE(offline.find("chat_admin_http_requests_total"), std::string::npos);
}

}  // namespace
}  // namespace chat::admin
