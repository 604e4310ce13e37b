// chat-admin's configuration (chat/admin/config.hpp).
#include "chat/admin/config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace chat::admin {
namespace {

ConfigResult load(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                  const std::map<std::string, std::string>& files = {}) {
  ConfigSources sources{[files](const std::string& path) -> std::optional<std::string> {
                          const auto it = files.find(path);
                          if (it == files.end()) return std::nullopt;
                          return it->second;
                        },
                        [env](const std::string& name) -> std::optional<std::string> {
                          const auto it = env.find(name);
                          if (it == env.end()) return std::nullopt;
                          return it->second;
                        }};
  return load_config(args, sources);
}

const std::vector<std::string> kRequired = {"--database-url",      "host=x", "--admin-token-file", "/t",
                                            "--token-secret-file", "/s",     "--media-dir",        "/m"};

TEST(AdminConfig, DefaultsAndRequiredSettings) {
  const ConfigResult result = load(kRequired);
  ASSERT_EQ(result.error, "");
  const Config& c = result.config;
  EXPECT_EQ(c.bind, "127.0.0.1");
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.media_max_image_bytes, 10u << 20);
  EXPECT_EQ(c.media_max_voice_bytes, 16u << 20);
  EXPECT_EQ(c.media_max_file_bytes, 64u << 20);
  EXPECT_EQ(c.media_gc_age_s, 86400);
  EXPECT_EQ(c.token_default_ttl_s, 30 * 86400);
  EXPECT_EQ(c.token_max_ttl_s, 30 * 86400) << "the broker refuses longer-lived tokens (issue #13, item 9)";

  EXPECT_NE(load({}).error.find("database_url"), std::string::npos);
  EXPECT_NE(load({"--database-url", "x"}).error.find("admin token"), std::string::npos);
  EXPECT_NE(load({"--database-url", "x", "--admin-token-file", "/t"}).error.find("token_secret_file"),
            std::string::npos);
  EXPECT_NE(
      load({"--database-url", "x", "--admin-token-file", "/t", "--token-secret-file", "/s"}).error.find("media_dir"),
      std::string::npos);
  EXPECT_TRUE(load({"--help"}).help);
}

TEST(AdminConfig, EnvironmentThenFileThenFlags) {
  const std::map<std::string, std::string> env = {{"CHAT_DATABASE_URL", "from-env"},
                                                  {"CHAT_ADMIN_TOKEN", "env-token-0123456789"},
                                                  {"CHAT_TOKEN_SECRET_FILE", "/env/secret"},
                                                  {"CHAT_DATA_DIR", "/var/lib/chat"}};
  ConfigResult result = load({}, env);
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.config.database_url, "from-env");
  EXPECT_EQ(result.config.admin_token, "env-token-0123456789");
  EXPECT_EQ(result.config.media_dir, "/var/lib/chat/media");

  const std::string file =
      "# comment\nport = 9000\nmedia_max_image_bytes = 2MiB\nadmin_token_file = /file/token\n"
      "log_requests = false\n";
  result =
      load({"--config", "/etc/admin.conf", "--port=9100", "--media-gc-age-s", "60"}, env, {{"/etc/admin.conf", file}});
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.config.port, 9100);
  EXPECT_EQ(result.config.media_max_image_bytes, 2u << 20);
  EXPECT_EQ(result.config.media_gc_age_s, 60);
  EXPECT_FALSE(result.config.log_requests);
  // A token file named in the file wins over the environment's token.
  EXPECT_EQ(result.config.admin_token_file, "/file/token");
  EXPECT_EQ(result.config.admin_token, "");
}

TEST(AdminConfig, BadValuesAreRefused) {
  const auto error = [](std::vector<std::string> extra) {
    std::vector<std::string> args = kRequired;
    args.insert(args.end(), extra.begin(), extra.end());
    return load(args).error;
  };
  EXPECT_NE(error({"--port", "70000"}), "");
  EXPECT_NE(error({"--port", "80x"}), "");
  EXPECT_NE(error({"--media-max-image-bytes", "10XB"}), "");
  EXPECT_NE(error({"--media-max-image-bytes", "100"}), "");  // below 1 KiB
  EXPECT_NE(error({"--no-such-option", "1"}), "");
  EXPECT_NE(error({"--admin-token", "secret-on-the-command-line"}), "");
  EXPECT_NE(error({"--log-requests", "maybe"}), "");
  EXPECT_NE(error({"--password-iterations", "10"}), "");
  EXPECT_NE(error({"--token-default-ttl-s", "1000", "--token-max-ttl-s", "500"}), "");
  EXPECT_NE(error({"positional"}), "");
  EXPECT_NE(error({"--port"}), "");
  EXPECT_NE(load(kRequired, {}, {}).error, "x");
  EXPECT_NE(load({"--config", "/missing"}).error.find("cannot read"), std::string::npos);
  EXPECT_NE(load({"--config", "/bad"}, {}, {{"/bad", "no equals sign\n"}}).error.find("line 1"), std::string::npos);
}

// Byte sizes and flags are parsed by chat::settings (settings_test.cpp); here
// only that chat-admin's table uses them and shows their defaults.
TEST(AdminConfig, SizesAndFlagsComeFromTheSharedTable) {
  const ConfigResult result = load([] {
    auto args = kRequired;
    args.insert(args.end(), {"--media-max-voice-bytes", "512KiB", "--log-requests", "no"});
    return args;
  }());
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.config.media_max_voice_bytes, 512u << 10);
  EXPECT_FALSE(result.config.log_requests);
  const std::string usage = config_usage();
  EXPECT_NE(usage.find("media_max_voice_bytes"), std::string::npos);
  EXPECT_NE(usage.find("[16MiB]"), std::string::npos) << usage;
  EXPECT_NE(usage.find("[true]"), std::string::npos) << usage;
  EXPECT_EQ(usage.find("admin_token "), std::string::npos) << "the token itself is never an option";
}

}  // namespace
}  // namespace chat::admin
