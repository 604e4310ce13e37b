// chat-admin serves the web app's bundle at /app with a strict policy, and
// tells the app where the MQTT-over-WebSocket gateway is.
#include "admin_test_env.hpp"

#include "chat/testing/environment.hpp"

#include <string>

namespace chat::admin::testing {
namespace {

class AdminWebAppTest : public AdminTest {
 protected:
  static void SetUpTestSuite() {
    web_dir_ = new chat::testing::TempDir("chat-web-test");
    chat::testing::write_file(web_dir_->path() / "index.html", "<!doctype html><title>chat</title>");
    chat::testing::write_file(web_dir_->path() / "app.js", "console.log('chat');");
    start_suite({"--web-dir", web_dir_->path().string(), "--web-mqtt-url", "ws://127.0.0.1:9001/mqtt"});
  }
  static void TearDownTestSuite() {
    stop_suite();
    delete web_dir_;
    web_dir_ = nullptr;
  }
  static Reply open(const std::string& path) { return call("GET", path, std::nullopt, std::nullopt); }

  static chat::testing::TempDir* web_dir_;
};
chat::testing::TempDir* AdminWebAppTest::web_dir_ = nullptr;

TEST_F(AdminWebAppTest, ServesTheBundleWithItsConfigAndAStrictPolicy) {
  for (const std::string path : {"/app", "/app/", "/app/index.html"}) {
    const Reply page = open(path);
    ASSERT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.body, "<!doctype html><title>chat</title>") << path;
    EXPECT_EQ(page.header("Content-Type").rfind("text/html", 0), 0u) << page.header("Content-Type");
    EXPECT_NE(page.header("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  }
  const Reply script = open("/app/app.js");
  ASSERT_EQ(script.status, 200);
  EXPECT_NE(script.header("Content-Type").find("javascript"), std::string::npos) << script.header("Content-Type");

  const Reply config = open("/app/config.json");
  ASSERT_EQ(config.status, 200) << config.body;
  EXPECT_EQ(config.data, json({{"mqtt_url", "ws://127.0.0.1:9001/mqtt"}}));

  EXPECT_EQ(open("/app/missing.js").status, 404);
  EXPECT_EQ(open("/app/../admin_token").status, 404);
}

}  // namespace
}  // namespace chat::admin::testing
