// What every chat-admin endpoint does before its own work: the admin token on
// every admin route, open health and metrics, JSON 404s, bodies refused unread
// when oversized or chunked, 503 while the database is down and healed after.
#include "admin_test_env.hpp"

#include <cstdint>
#include <string>

namespace chat::admin::testing {
namespace {

std::int64_t id_of(const json& record) { return record["id"].get<std::int64_t>(); }

std::string users(std::int64_t id, const std::string& rest = {}) {
  return "/v1/admin/users/" + std::to_string(id) + rest;
}

class AdminAuthTest : public AdminTest {
 protected:
  static void SetUpTestSuite() { start_suite(); }
};

// Every admin endpoint, with a missing, a wrong and a non-Bearer admin token.
TEST_F(AdminAuthTest, EveryAdminEndpointRefusesMissingAndWrongTokens) {
  const json user = create_user(unique("authuser"));
  const std::string uid = std::to_string(id_of(user));
  const json chat = create_group(id_of(user), {});
  const std::string cid = std::to_string(chat["id"].get<std::int64_t>());
  const std::vector<std::pair<std::string, std::string>> endpoints = {
      {"POST", "/v1/admin/users"},
      {"GET", "/v1/admin/users"},
      {"GET", "/v1/admin/users/" + uid},
      {"GET", "/v1/admin/users/by-username/" + user["username"].get<std::string>()},
      {"PATCH", "/v1/admin/users/" + uid},
      {"DELETE", "/v1/admin/users/" + uid},
      {"POST", "/v1/admin/users/" + uid + "/disable"},
      {"POST", "/v1/admin/users/" + uid + "/enable"},
      {"PUT", "/v1/admin/users/" + uid + "/password"},
      {"DELETE", "/v1/admin/users/" + uid + "/password"},
      {"POST", "/v1/admin/users/" + uid + "/tokens"},
      {"GET", "/v1/admin/users/" + uid + "/chats"},
      {"GET", "/v1/admin/chats"},
      {"POST", "/v1/admin/chats"},
      {"GET", "/v1/admin/chats/" + cid},
      {"GET", "/v1/admin/chats/" + cid + "/members"},
      {"POST", "/v1/admin/chats/" + cid + "/members"},
      {"DELETE", "/v1/admin/chats/" + cid + "/members/" + uid},
      {"GET", "/v1/admin/chats/" + cid + "/messages"},
      {"DELETE", "/v1/admin/chats/" + cid + "/messages/1"},
      {"GET", "/v1/admin/stats"},
  };
  const std::vector<std::optional<std::string>> wrong = {
      std::nullopt, "Bearer wrong-token-0123456789", "Bearer " + kAdminToken + "x",
      "Bearer",     "Basic YWRtaW46" + kAdminToken,  "bearer  ",
      kAdminToken};
  for (const auto& [method, path] : endpoints) {
    for (const auto& authorization : wrong) {
      const Reply reply = call(method, path, json::object(), authorization);
      EXPECT_EQ(reply.status, 401) << method << " " << path << " with " << authorization.value_or("(none)");
      EXPECT_EQ(reply.error_code(), "unauthorized") << reply.body;
      EXPECT_NE(reply.header("WWW-Authenticate"), "");
    }
  }
  // Nothing was changed by the refused requests.
  EXPECT_EQ(get(users(id_of(user))).data["deleted"], false);
  EXPECT_EQ(get(users(id_of(user))).data["disabled"], false);
  // The scheme's name is case-insensitive, the token is not.
  EXPECT_EQ(call("GET", "/v1/admin/stats", std::nullopt, "bearer " + kAdminToken).status, 200);
  EXPECT_EQ(call("GET", "/v1/admin/stats", std::nullopt, "Bearer TEST-ADMIN-TOKEN-0123456789").status, 401);
  // The token never reaches the log.
  EXPECT_EQ(server().log().find(kAdminToken), std::string::npos);
}

TEST_F(AdminAuthTest, HealthAndMetricsAreOpenAndUnknownRoutesAreJson404) {
  const Reply health = call("GET", "/healthz", std::nullopt, std::nullopt);
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.data["status"], "ok");
  EXPECT_EQ(health.data["database"], "ok");

  get("/v1/admin/stats");
  const Reply metrics = call("GET", "/metrics", std::nullopt, std::nullopt);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(
      metrics.body.find("chat_admin_http_requests_total{method=\"GET\",route=\"/v1/admin/stats\",status=\"200\"}"),
      std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("chat_admin_http_request_duration_seconds_bucket{route=\"/v1/admin/stats\",le=\"+Inf\"}"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("chat_admin_media_bytes_stored "), std::string::npos);

  const Reply missing = get("/v1/admin/nothing-here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.error_code(), "not_found");
}

TEST_F(AdminAuthTest, OversizedAndChunkedAdminBodiesAreRefusedUnread) {
  const std::string big(2u << 20, 'x');
  const Reply large = raw("POST", "/v1/admin/users", big, {{"Authorization", "Bearer " + kAdminToken}});
  // The server closes the connection after answering; the client may see the
  // answer or only the closed connection, never a created user.
  if (large.status != 0) {
    EXPECT_EQ(large.status, 413);
    EXPECT_EQ(large.error_code(), "too_large");
  }
  EXPECT_EQ(psql("SELECT count(*) FROM users WHERE username = 'x'"), "0");
  EXPECT_EQ(get("/healthz").status, 200);  // and serves the next connection
}

TEST_F(AdminAuthTest, DatabaseOutagesAre503AndHealedWithoutARestart) {
  const json user = create_user(unique("outage"));
  cluster().stop();
  const Reply health = call("GET", "/healthz", std::nullopt, std::nullopt);
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.data["database"], "unreachable");
  const Reply refused = get(users(id_of(user)));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.error_code(), "unavailable");
  cluster().start();
  // Pooled sessions reconnect by themselves.
  EXPECT_TRUE(chat::testing::wait_until([&] { return get(users(id_of(user))).status == 200; }, 20s, 100ms));
  EXPECT_EQ(call("GET", "/healthz", std::nullopt, std::nullopt).status, 200);
}

}  // namespace
}  // namespace chat::admin::testing
