// chat-loadgen's core, no broker, no network. The command line: defaults, both spellings, watched pids, what cannot
// run.
#include "chat/loadgen/options.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chat::loadgen {
namespace {

TEST(LoadgenOptions, WatchPids) {
  const auto w = parse_watch_pid("postgres=12,13");
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->name, "postgres");
  EXPECT_EQ(w->pids, (std::vector<pid_t>{12, 13}));
  for (const char* bad : {"postgres", "=1", "x=", "x=1,", "x=-1", "x=a"}) EXPECT_FALSE(parse_watch_pid(bad)) << bad;
  const auto r =
      parse_options({"--mode", "plain", "--watch-pid", "bridge=5", "--watch-pid", "postgres=6,7", "--window", "1"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.options.watch.size(), 2U);
  EXPECT_DOUBLE_EQ(r.options.window_s, 1.0);
}

ParseResult parse(const std::vector<std::string>& args) { return parse_options(args); }

TEST(LoadgenOptions, DefaultsAndBothSpellings) {
  auto r = parse({"--mode", "plain"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.options.mode, Mode::plain);
  EXPECT_EQ(r.options.messages, 10000U);
  EXPECT_EQ(r.options.qos, 1);
  EXPECT_EQ(r.options.group_share, 0.0);

  r = parse({"--mode=fanout",
             "--plain",
             "--users=50",
             "--groups",
             "2",
             "--group-size=10",
             "--duration",
             "2.5",
             "--rate",
             "1000",
             "--qos",
             "0",
             "--inflight",
             "7",
             "--payload-bytes",
             "512",
             "--mqtt-version",
             "3",
             "--json",
             "--strict",
             "--broker-pid",
             "123",
             "--uri",
             "tcp://127.0.0.1:5"});
  ASSERT_EQ(r.error, "");
  const auto& o = r.options;
  EXPECT_EQ(o.mode, Mode::fanout);
  EXPECT_TRUE(o.plain_baseline);
  EXPECT_EQ(o.users, 50U);
  EXPECT_EQ(o.groups, 2U);
  EXPECT_EQ(o.group_size, 10U);
  EXPECT_EQ(o.group_share, 0.5);  // the default with groups
  EXPECT_EQ(o.messages, 0U);
  EXPECT_EQ(o.duration_s, 2.5);
  EXPECT_EQ(o.rate, 1000.0);
  EXPECT_EQ(o.qos, 0);
  EXPECT_EQ(o.inflight, 7U);
  EXPECT_EQ(o.payload_bytes, 512U);
  EXPECT_EQ(o.mqtt_version, 3);
  EXPECT_TRUE(o.json);
  EXPECT_TRUE(o.strict);
  EXPECT_EQ(o.broker_pid, 123);
  EXPECT_EQ(o.uri, "tcp://127.0.0.1:5");

  for (const char* m : {"plain", "platform", "connect-storm", "fanout", "sync"}) {
    const auto mode = parse_mode(m);
    ASSERT_TRUE(mode.has_value()) << m;
    EXPECT_EQ(mode_name(*mode), m);
  }
  EXPECT_TRUE(parse({"--help"}).options.help);
  EXPECT_FALSE(usage().empty());
}

TEST(LoadgenOptions, RefusesWhatCannotRun) {
  const std::vector<std::vector<std::string>> bad{
      {},
      {"--mode", "nope"},
      {"--mode", "plain", "--bogus"},
      {"--mode", "plain", "--users"},
      {"--mode", "plain", "--users", "0"},
      {"--mode", "plain", "--users", "-3"},
      {"--mode", "plain", "--users", "12x"},
      {"--mode", "plain", "--qos", "2"},
      {"--mode", "plain", "--mqtt-version", "4"},
      {"--mode", "plain", "--messages", "5", "--duration", "1"},
      {"--mode", "plain", "--groups", "2"},
      {"--mode", "plain", "--users", "5", "--groups", "1", "--group-size", "6"},
      {"--mode", "plain", "--group-share", "1.5"},
      {"--mode", "plain", "--users", "1"},
      {"--mode", "plain", "--senders", "200"},
      {"--mode", "plain", "--json=yes"},
      {"--mode", "plain", "--rate", "nan"},
      {"--mode", "plain", "--procs", "2"},
      {"--mode", "sync", "--shape", "pairs"},
      {"--mode", "plain", "--window", "0"},
      {"--mode", "plain", "--request-load", "5"},
      {"--mode", "sync", "--plain", "--request-load", "5"},
      {"--mode", "sync", "--request-load", "-1"},
  };
  for (const auto& args : bad) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_NE(parse(args).error, "") << joined;
  }
  EXPECT_EQ(parse({"--mode", "sync", "--plain", "--groups", "20"}).error, "");  // chats need no group size
  EXPECT_EQ(parse({"--mode", "sync", "--groups", "20", "--request-load", "100"}).options.request_load, 100);
}

}  // namespace
}  // namespace chat::loadgen
