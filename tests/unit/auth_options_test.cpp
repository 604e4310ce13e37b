// plugin_opt_* parsing: defaults, every value checked, every problem reported
// together, and the conninfo parameters the plugin adds.
#include "chat/credentials/password.hpp"
#include "options.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

namespace chat::auth {
namespace {

using Raw = std::vector<std::pair<std::string, std::string>>;

const std::string kServiceHash = credentials::hash_password("service-pw", 1000);

struct FakeFiles {
  std::map<std::string, std::string> files = {{"/secrets/jwt", std::string(64, 'k')},
                                              {"/secrets/short", "tooshort"},
                                              {"/secrets/db", "host=/run dbname=chat\n"}};
  FileReader reader() const {
    return [this](const std::string& path, std::string& error) -> std::optional<std::string> {
      const auto it = files.find(path);
      if (it == files.end()) {
        error = "cannot read " + path + ": No such file or directory";
        return std::nullopt;
      }
      return it->second;
    };
  }
};

Raw minimal() {
  return {{"db_conninfo", "dbname=chat"},
          {"jwt_secret_file", "/secrets/jwt"},
          {"service_username", "svc-bridge"},
          {"service_password_hash", kServiceHash}};
}

bool mentions(const std::vector<std::string>& errors, const std::string& text) {
  for (const auto& error : errors) {
    if (error.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(AuthOptions, MinimalOptionsGiveTheDefaults) {
  FakeFiles files;
  const auto result = parse_options(minimal(), files.reader());
  ASSERT_TRUE(result.options.has_value()) << (result.errors.empty() ? "" : result.errors.front());
  const Options& o = *result.options;
  EXPECT_EQ(o.db_conninfo, "dbname=chat");
  EXPECT_EQ(o.jwt_secret, std::string(64, 'k'));
  EXPECT_EQ(o.service_username, "svc-bridge");
  EXPECT_EQ(o.max_payload_bytes, 65536u);
  EXPECT_EQ(o.db_statement_timeout.count(), 300);
  EXPECT_EQ(o.stats_topic, "$SYS/broker/chat-auth/stats");
  EXPECT_TRUE(o.kick_disabled_users);
}

TEST(AuthOptions, EveryOptionIsRead) {
  FakeFiles files;
  Raw raw = {{"db_conninfo_file", "/secrets/db"},
             {"jwt_secret_file", "/secrets/jwt"},
             {"service_username", "svc-bridge"},
             {"service_password_hash", kServiceHash},
             {"db_statement_timeout_ms", "250"},
             {"db_connect_timeout_s", "3"},
             {"startup_wait_ms", "100"},
             {"password_cache_ttl_s", "60"},
             {"password_cache_size", "10"},
             {"password_checks_per_s", "0.5"},
             {"password_checks_burst", "2"},
             {"max_payload_bytes", "1024"},
             {"publish_rate_per_s", "5"},
             {"publish_burst", "10"},
             {"stats_interval_s", "0"},
             {"stats_topic", "sys/chat-auth/stats"},
             {"kick_disabled_users", "false"},
             {"password_lookups_per_s", "30"},
             {"password_lookups_burst", "60"},
             {"max_token_lifetime_s", "86400"},
             {"password_check_threads", "3"},
             {"password_checks_per_user_per_min", "4"},
             {"password_checks_per_user_burst", "6"}};
  const auto result = parse_options(raw, files.reader());
  ASSERT_TRUE(result.options.has_value()) << (result.errors.empty() ? "" : result.errors.front());
  const Options& o = *result.options;
  EXPECT_DOUBLE_EQ(o.password_lookups_per_s, 30);
  EXPECT_DOUBLE_EQ(o.password_lookups_burst, 60);
  EXPECT_EQ(o.max_token_lifetime_s, 86400);
  EXPECT_EQ(o.db_conninfo, "host=/run dbname=chat");
  EXPECT_EQ(o.db_statement_timeout.count(), 250);
  EXPECT_EQ(o.db_connect_timeout_s, 3);
  EXPECT_EQ(o.startup_wait.count(), 100);
  EXPECT_EQ(o.password_cache_ttl.count(), 60);
  EXPECT_EQ(o.password_cache_size, 10u);
  EXPECT_DOUBLE_EQ(o.password_checks_per_s, 0.5);
  EXPECT_DOUBLE_EQ(o.password_checks_burst, 2);
  EXPECT_EQ(o.password_check_threads, 3);
  EXPECT_DOUBLE_EQ(o.password_checks_per_user_per_min, 4);
  EXPECT_DOUBLE_EQ(o.password_checks_per_user_burst, 6);
  const auto cores = static_cast<int>(std::thread::hardware_concurrency());
  EXPECT_EQ(Options{}.password_check_threads, std::clamp(cores, 1, kMaxPasswordCheckThreads))
      << "one checking thread per core unless told otherwise";
  EXPECT_EQ(o.max_payload_bytes, 1024u);
  EXPECT_DOUBLE_EQ(o.publish_rate_per_s, 5);
  EXPECT_DOUBLE_EQ(o.publish_burst, 10);
  EXPECT_EQ(o.stats_interval.count(), 0);
  EXPECT_EQ(o.stats_topic, "sys/chat-auth/stats");
  EXPECT_FALSE(o.kick_disabled_users);
}

TEST(AuthOptions, EveryMissingOptionIsReportedTogether) {
  FakeFiles files;
  const auto result = parse_options({}, files.reader());
  EXPECT_FALSE(result.options.has_value());
  ASSERT_EQ(result.errors.size(), 4u);
  EXPECT_TRUE(mentions(result.errors, "db_conninfo"));
  EXPECT_TRUE(mentions(result.errors, "jwt_secret_file"));
  EXPECT_TRUE(mentions(result.errors, "service_username"));
  EXPECT_TRUE(mentions(result.errors, "service_password_hash"));
}

TEST(AuthOptions, EveryBadValueIsReportedTogether) {
  FakeFiles files;
  Raw raw = {{"db_conninfo", "dbname=chat"},         {"db_conninfo_file", "/secrets/db"},
             {"jwt_secret_file", "/secrets/short"},  {"service_username", "bridge"},
             {"service_password_hash", "plaintext"}, {"max_payload_bytes", "lots"},
             {"publish_rate_per_s", "-1"},           {"password_checks_per_s", "nan"},
             {"stats_interval_s", "99999999"},       {"stats_topic", "presence/#"},
             {"kick_disabled_users", "yes"},         {"password_check_threads", "0"},
             {"db_statement_timeout_ms", "1"},       {"typo_option", "1"}};
  raw.emplace_back("publish_burst", "5");
  raw.emplace_back("publish_burst", "6");
  const auto result = parse_options(raw, files.reader());
  EXPECT_FALSE(result.options.has_value());
  for (const char* expected :
       {"typo_option", "publish_burst is given more than once", "not both", "jwt_secret_file", "service_username",
        "service_password_hash", "max_payload_bytes", "publish_rate_per_s", "password_checks_per_s", "stats_interval_s",
        "stats_topic", "kick_disabled_users", "db_statement_timeout_ms", "password_check_threads"}) {
    EXPECT_TRUE(mentions(result.errors, expected)) << expected;
  }
  EXPECT_EQ(result.errors.size(), 14u);
}

TEST(AuthOptions, UnreadableFilesAreReported) {
  FakeFiles files;
  Raw raw = minimal();
  raw[1].second = "/secrets/missing";
  const auto result = parse_options(raw, files.reader());
  ASSERT_FALSE(result.options.has_value());
  EXPECT_TRUE(mentions(result.errors, "/secrets/missing"));
}

TEST(AuthOptions, ServiceUsernameCannotBeAUsersName) {
  FakeFiles files;
  for (const char* bad : {"bridge", "Bridge", "svc/bridge", "svc+", "svc#", "svc:1", "a\tb"}) {
    Raw raw = minimal();
    raw[2].second = bad;
    EXPECT_FALSE(parse_options(raw, files.reader()).options.has_value()) << bad;
  }
}

TEST(AuthOptions, ConninfoParametersAreAppended) {
  EXPECT_EQ(append_conninfo_params("host=x dbname=chat", {{"connect_timeout", "2"}, {"options", "-c a=b"}}),
            "host=x dbname=chat connect_timeout='2' options='-c a=b'");
  EXPECT_EQ(append_conninfo_params("dbname=it's", {{"application_name", "o'k\\"}}),
            "dbname=it's application_name='o\\'k\\\\'");
  EXPECT_EQ(append_conninfo_params("postgresql://u@h/db", {{"options", "-c statement_timeout=300"}, {"a", "b"}}),
            "postgresql://u@h/db?options=-c%20statement_timeout%3D300&a=b");
  EXPECT_EQ(append_conninfo_params("postgres://h/db?sslmode=disable", {{"a", "1"}}),
            "postgres://h/db?sslmode=disable&a=1");
}

}  // namespace
}  // namespace chat::auth
