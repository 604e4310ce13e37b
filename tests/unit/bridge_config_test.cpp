#include "chat/bridge/config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace chat::bridge {
namespace {

struct Fake {
  std::map<std::string, std::string> files;
  std::map<std::string, std::string> env;
  ConfigSources sources() const {
    return {[this](const std::string& path) -> std::optional<std::string> {
              const auto it = files.find(path);
              if (it == files.end()) return std::nullopt;
              return it->second;
            },
            [this](const std::string& name) -> std::optional<std::string> {
              const auto it = env.find(name);
              if (it == env.end()) return std::nullopt;
              return it->second;
            }};
  }
};

TEST(BridgeConfig, DefaultsAndTheEnvironment) {
  Fake fake;
  fake.env["CHAT_DATABASE_URL"] = "host=db";
  fake.env["CHAT_MQTT_URI"] = "tcp://broker:1883";
  const auto r = load_config({}, fake.sources());
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.config.database_url, "host=db");
  EXPECT_EQ(r.config.mqtt_uri, "tcp://broker:1883");
  EXPECT_EQ(r.config.share_group, "bridge");
  EXPECT_EQ(r.config.http_bind, "127.0.0.1");
  EXPECT_EQ(r.config.writers, 1);
  EXPECT_FALSE(r.config.notifications_enabled());
}

TEST(BridgeConfig, DatabaseUrlIsRequired) {
  EXPECT_NE(load_config({}, Fake{}.sources()).error.find("database_url"), std::string::npos);
}

TEST(BridgeConfig, FlagsWinOverTheFileWhichWinsOverTheEnvironment) {
  Fake fake;
  fake.env["CHAT_DATABASE_URL"] = "from-env";
  fake.files["/etc/bridge.conf"] =
      "# the bridge\n"
      "database_url = from-file\n"
      "batch_max=500\n"
      "  http_port = 9200  \n"
      "webhook_url = http://127.0.0.1:9/push\n"
      "webhook_format = legacy\n";
  const auto r = load_config({"--config", "/etc/bridge.conf", "--batch-max=64", "--writers", "2"}, fake.sources());
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.config.database_url, "from-file");
  EXPECT_EQ(r.config.batch_max, 64);
  EXPECT_EQ(r.config.http_port, 9200);
  EXPECT_EQ(r.config.writers, 2);
  EXPECT_TRUE(r.config.notifications_enabled());

  // The flag wins even when it comes before --config.
  const auto r2 = load_config({"--database_url=from-flag", "--config=/etc/bridge.conf"}, fake.sources());
  ASSERT_EQ(r2.error, "");
  EXPECT_EQ(r2.config.database_url, "from-flag");
}

TEST(BridgeConfig, JsonFiles) {
  Fake fake;
  fake.files["b.json"] = R"({"database_url": "host=x", "queue_capacity": 5000, "mqtt_username": "svc-bridge"})";
  const auto r = load_config({"--config", "b.json"}, fake.sources());
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.config.queue_capacity, 5000);
  EXPECT_EQ(r.config.mqtt_username, "svc-bridge");

  fake.files["bad.json"] = R"({"database_url": ["x"]})";
  EXPECT_NE(load_config({"--config", "bad.json"}, fake.sources()).error, "");
  fake.files["broken.json"] = R"({"database_url": )";
  EXPECT_NE(load_config({"--config", "broken.json"}, fake.sources()).error, "");
}

TEST(BridgeConfig, Errors) {
  Fake fake;
  fake.env["CHAT_DATABASE_URL"] = "x";
  const auto error = [&](const std::vector<std::string>& args) { return load_config(args, fake.sources()).error; };
  EXPECT_NE(error({"--no-such-option", "1"}), "");
  EXPECT_NE(error({"--batch-max", "many"}), "");
  EXPECT_NE(error({"--batch-max", "0"}), "");
  EXPECT_NE(error({"--http-port", "70000"}), "");
  EXPECT_NE(error({"--writers"}), "");
  EXPECT_NE(error({"positional"}), "");
  EXPECT_NE(error({"--config", "/missing"}), "");
  EXPECT_NE(error({"--share-group", "a/b"}), "");
  EXPECT_NE(error({"--log-level", "loud"}), "");
  EXPECT_NE(error({"--writers", "4", "--queue-capacity", "2"}), "");
  fake.files["kv"] = "no equals sign\n";
  EXPECT_NE(error({"--config", "kv"}).find("line 1"), std::string::npos);
  EXPECT_EQ(error({"--log-level", "warn"}), "");
}

TEST(BridgeConfig, TheWebhookSpeaksMatrixUnlessToldLegacy) {
  Fake fake;
  const auto base = std::vector<std::string>{"--database-url", "x"};
  const auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return load_config(args, fake.sources());
  };
  const auto defaults = with({});
  ASSERT_EQ(defaults.error, "");
  EXPECT_TRUE(defaults.config.matrix_webhook());
  EXPECT_FALSE(defaults.config.push_event_id_only());
  EXPECT_EQ(with({"--webhook-url", "http://127.0.0.1:5000/_matrix/push/v1/notify"}).error, "");
  EXPECT_EQ(with({"--webhook-url", "http://127.0.0.1:5000"}).error, "");  // the API's path is added
  EXPECT_NE(with({"--webhook-url", "http://127.0.0.1:5000/push"}).error.find("/_matrix/push/v1/notify"),
            std::string::npos);
  EXPECT_EQ(with({"--webhook-url", "http://127.0.0.1:5000/push", "--webhook-format", "legacy"}).error, "");
  EXPECT_NE(with({"--webhook-url", "ftp://x/push"}).error, "");
  EXPECT_NE(with({"--webhook-format", "sygnal"}).error.find("webhook_format"), std::string::npos);
  EXPECT_TRUE(with({"--push-content", "event_id_only"}).config.push_event_id_only());
  EXPECT_NE(with({"--push-content", "none"}).error.find("push_content"), std::string::npos);
}

TEST(BridgeConfig, HelpListsEveryKey) {
  const auto r = load_config({"--help"}, Fake{}.sources());
  EXPECT_TRUE(r.help);
  const auto usage = config_usage();
  for (const char* key :
       {"database_url", "mqtt_uri", "mqtt_client_id", "mqtt_password_file", "share_group", "writers", "queue_capacity",
        "batch_max", "webhook_url", "webhook_format", "push_content", "http_port", "drain_timeout_ms"}) {
    EXPECT_NE(usage.find(key), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace chat::bridge
