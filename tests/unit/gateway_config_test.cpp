// The gateway's settings: defaults, the config file, flags, and refusals of
// what cannot work.
#include "chat/gateway/config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace chat::gateway {
namespace {

settings::Sources files(const std::map<std::string, std::string>& contents) {
  return {[contents](const std::string& path) -> std::optional<std::string> {
            const auto it = contents.find(path);
            if (it == contents.end()) return std::nullopt;
            return it->second;
          },
          [](const std::string&) -> std::optional<std::string> { return std::nullopt; }};
}

// Defaults leave wss:// on, which needs its files.
const std::vector<std::string> kTlsFiles = {"--tls-cert-file", "c.pem", "--tls-key-file", "k.pem"};

TEST(GatewayConfig, DefaultsListenOnLoopbackAtTheConventionalPorts) {
  const auto loaded = load_config(kTlsFiles, files({}));
  ASSERT_EQ(loaded.error, "");
  EXPECT_EQ(loaded.config.ws_bind, "127.0.0.1");
  EXPECT_EQ(loaded.config.ws_port, 9001);
  EXPECT_EQ(loaded.config.wss_port, 9443);
  EXPECT_EQ(loaded.config.http_bind, "127.0.0.1");
  EXPECT_EQ(loaded.config.broker_host, "127.0.0.1");
  EXPECT_EQ(loaded.config.broker_port, 1883);
  EXPECT_EQ(loaded.config.allowed_origins, "");
}

TEST(GatewayConfig, FileThenFlagsWin) {
  const auto loaded = load_config({"--config", "g.conf", "--max-connections=7"},
                                  files({{"g.conf",
                                          "# the gateway\nwss_port = 0\nmax_connections = 3\n"
                                          "allowed_origins = http://a:1, http://b:2\n"}}));
  ASSERT_EQ(loaded.error, "");
  EXPECT_EQ(loaded.config.wss_port, 0);
  EXPECT_EQ(loaded.config.max_connections, 7);
  EXPECT_EQ(loaded.config.allowed_origins, "http://a:1, http://b:2");
}

TEST(GatewayConfig, RefusesWhatCannotWork) {
  EXPECT_NE(load_config({}, files({})).error.find("tls_cert_file"), std::string::npos)
      << "wss:// without a certificate";
  EXPECT_NE(load_config({"--wss-port", "0", "--ws-port", "0"}, files({})).error.find("nothing to listen on"),
            std::string::npos);
  EXPECT_NE(load_config({"--wss-port", "0", "--max-connections", "0"}, files({})).error.find("max_connections"),
            std::string::npos);
  EXPECT_NE(load_config({"--wss-port", "0", "--http-port", "9001"}, files({})).error.find("http_port"),
            std::string::npos);
  EXPECT_NE(load_config({"--wss-port", "0", "--log-level", "loud"}, files({})).error.find("log_level"),
            std::string::npos);
  EXPECT_NE(load_config({"--wss-port", "0", "--no-such-key", "1"}, files({})).error.find("unknown option"),
            std::string::npos);
  EXPECT_NE(load_config({"--wss-port", "0", "--idle-timeout-s", "soon"}, files({})).error.find("not an integer"),
            std::string::npos);
}

TEST(GatewayConfig, UsageListsEveryKey) {
  const std::string usage = config_usage();
  for (const char* key : {"ws_port", "wss_port", "allowed_origins", "max_connections", "max_message_bytes",
                          "handshake_timeout_ms", "idle_timeout_s", "http_port", "drain_timeout_ms"}) {
    EXPECT_NE(usage.find(key), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace chat::gateway
