// chat-loadgen against a real mosquitto: short runs (a few hundred messages,
// a couple of seconds) whose accounting must add up. Speed is never asserted
// here; figures belong in docs/benchmarks.md (scripts/bench).
#include "chat/testing/environment.hpp"
#include "chat/testing/mosquitto_broker.hpp"
#include "chat/testing/process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using chat::testing::MosquittoBroker;
using chat::testing::MosquittoOptions;
using nlohmann::json;

constexpr int kExitNotAvailable = 3;

// The JSON object chat-loadgen prints with --json (one line; the human summary goes to stderr).
json figures_of(const std::string& output) {
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("{\"mode\"", 0) == 0) return json::parse(line);
  }
  ADD_FAILURE() << "no JSON line in the output:\n" << output;
  return json::object();
}

struct Run {
  int exit_code = -1;
  std::string output;
  json result;
  double figure(const std::string& key) const { return result.at("figures").at(key).get<double>(); }
};

Run loadgen(const std::vector<std::string>& args) {
  std::vector<std::string> argv{CHAT_LOADGEN_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.emplace_back("--json");
  const auto r = chat::testing::run_command(argv);
  Run run{r.exit_code, r.output, json::object()};
  if (r.exit_code == 0 || r.exit_code == kExitNotAvailable) run.result = figures_of(r.output);
  return run;
}

// Nothing lost, nothing duplicated, nothing foreign, and the counts agree with each other.
void expect_clean(const Run& run, double sent) {
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.result.at("available"), true);
  EXPECT_EQ(run.figure("sent"), sent) << run.output;
  EXPECT_EQ(run.figure("acked"), sent) << run.output;
  EXPECT_EQ(run.figure("lost"), 0) << run.output;
  EXPECT_EQ(run.figure("duplicates"), 0) << run.output;
  EXPECT_EQ(run.figure("unexpected"), 0) << run.output;
  EXPECT_EQ(run.figure("foreign"), 0) << run.output;
  EXPECT_EQ(run.figure("rejected"), 0) << run.output;
  EXPECT_EQ(run.figure("delivered"), run.figure("expected")) << run.output;
  EXPECT_EQ(run.figure("e2e_samples"), run.figure("delivered")) << run.output;
  EXPECT_EQ(run.figure("ack_samples"), sent) << run.output;
  EXPECT_EQ(run.figure("drained"), 1) << run.output;
  EXPECT_GT(run.figure("msgs_per_s"), 0) << run.output;
  EXPECT_LE(run.figure("e2e_p50_ms"), run.figure("e2e_p99_ms"));
  EXPECT_LE(run.figure("e2e_p99_ms"), run.figure("e2e_max_ms"));
}

TEST(LoadgenIntegration, DirectAndGroupMessagesThroughTheProjectConfig) {
  MosquittoBroker broker;
  // 6 users x 2 devices; 2 groups of 3; half the messages to groups.
  const auto run = loadgen({"--mode", "plain", "--uri", broker.uri(), "--users", "6", "--devices", "2", "--groups", "2",
                            "--group-size", "3", "--messages", "400", "--inflight", "10", "--qos", "1"});
  expect_clean(run, 400);
  // A dm reaches the 2 devices of its user, a group message the 6 devices of its members.
  EXPECT_GT(run.figure("expected"), 2 * 400) << run.output;
  EXPECT_LE(run.figure("expected"), 6 * 400) << run.output;
  EXPECT_EQ(run.figure("clients"), 12);
  EXPECT_EQ(run.result.at("params").at("qos"), 1);
}

// --no-local: group messages reach every member device but the sending one
// (the broker honours No Local), and nothing is reported lost for it.
TEST(LoadgenIntegration, NoLocalSubscriptionsSkipTheSendingDevice) {
  MosquittoBroker broker;
  // 4 users x 2 devices, one group of all 4: every message goes to the group.
  const auto run = loadgen({"--mode", "plain", "--uri", broker.uri(), "--users", "4", "--devices", "2", "--groups", "1",
                            "--group-size", "4", "--group-share", "1", "--messages", "200", "--no-local"});
  expect_clean(run, 200);
  EXPECT_EQ(run.figure("expected"), 7 * 200) << run.output;  // 8 member devices, less the sender
  EXPECT_EQ(run.result.at("params").at("no_local"), "yes");
  const auto refused =
      loadgen({"--mode", "plain", "--uri", broker.uri(), "--users", "2", "--mqtt-version", "3", "--no-local"});
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
}

// --latency-log: a line per ack and per delivery, in send order, none negative.
TEST(LoadgenIntegration, LatencyLogHasALinePerAckAndDelivery) {
  MosquittoBroker broker;
  const auto path =
      std::filesystem::temp_directory_path() / ("chat-loadgen-latency-" + std::to_string(::getpid()) + ".log");
  const auto run = loadgen({"--mode", "plain", "--uri", broker.uri(), "--users", "4", "--groups", "1", "--group-size",
                            "3", "--messages", "150", "--latency-log", path.string()});
  expect_clean(run, 150);
  std::ifstream in(path);
  std::size_t acks = 0;
  std::size_t deliveries = 0;
  double previous_sent = -1;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    double sent = -1;
    double latency = -1;
    std::string kind;
    ASSERT_TRUE(fields >> sent >> latency >> kind) << line;
    EXPECT_GE(sent, previous_sent) << line;
    EXPECT_GE(latency, 0) << line;
    previous_sent = sent;
    if (kind == "ack") {
      ++acks;
    } else {
      EXPECT_EQ(kind, "delivery") << line;
      ++deliveries;
    }
  }
  std::filesystem::remove(path);
  EXPECT_EQ(acks, 150U);
  EXPECT_EQ(static_cast<double>(deliveries), run.figure("delivered"));
}

TEST(LoadgenIntegration, QosZeroOnABareBroker) {
  MosquittoBroker broker(MosquittoOptions{.use_project_config = false});
  const auto run = loadgen({"--mode", "plain", "--uri", broker.uri(), "--users", "4", "--messages", "300", "--qos", "0",
                            "--mqtt-version", "3"});
  expect_clean(run, 300);
  EXPECT_EQ(run.figure("expected"), 300);  // one device per user: one delivery per dm
}

// The shapes of the benchmark, small: hot pairs on MQTT 3.1.1 and a crowd with groups of 5-50.
TEST(LoadgenIntegration, HotPairsAndCrowdShapes) {
  MosquittoBroker broker;
  const auto pairs = loadgen({"--mode", "plain", "--uri", broker.uri(), "--shape", "pairs", "--pairs", "3",
                              "--mqtt-version", "3", "--messages", "300", "--inflight", "10"});
  expect_clean(pairs, 300);
  EXPECT_EQ(pairs.figure("clients"), 6);
  EXPECT_EQ(pairs.figure("expected"), 300) << "a pair's message reaches its one recipient";
  EXPECT_EQ(pairs.result.at("params").at("senders"), 3);

  const auto crowd = loadgen({"--mode", "plain", "--uri", broker.uri(), "--shape", "crowd", "--users", "60",
                              "--messages", "600", "--inflight", "5"});
  expect_clean(crowd, 600);
  EXPECT_EQ(crowd.figure("clients"), 60);
  EXPECT_GT(crowd.figure("expected"), 600) << "group messages reach several members";
}

// Open loop: messages are due on a schedule whatever comes back. With the broker frozen for a
// while, the messages due meanwhile are still counted at the offered rate in every window, wait
// in their senders' queues, and are acked late: the stall shows as the latency of all of them
// (measured from their due time), not only of the few that were in flight.
TEST(LoadgenIntegration, FixedRateRunReportsWindowsAndShowsAStallAsLatency) {
  MosquittoBroker broker;
  chat::testing::TempDir dir("chat-loadgen-open-loop");
  const auto out = dir.path() / "loadgen.out";
  const auto latencies = dir.path() / "latency.log";
  constexpr double kRate = 200;
  chat::testing::ChildProcess child({CHAT_LOADGEN_PATH,
                                     "--mode",
                                     "plain",
                                     "--uri",
                                     broker.uri(),
                                     "--shape",
                                     "pairs",
                                     "--pairs",
                                     "2",
                                     "--rate",
                                     "200",
                                     "--duration",
                                     "4",
                                     "--window",
                                     "1",
                                     "--inflight",
                                     "5",
                                     "--latency-log",
                                     latencies.string(),
                                     "--json"},
                                    out.string());
  ASSERT_TRUE(chat::testing::wait_until(
      [&] { return chat::testing::read_file(out).find("send phase begins") != std::string::npos; },
      std::chrono::seconds(30)));
  const auto pid = std::stoi(chat::testing::read_file(broker.dir() / "mosquitto.pid"));
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the stall itself
  ASSERT_EQ(::kill(pid, SIGCONT), 0);
  ASSERT_TRUE(chat::testing::wait_until([&] { return !child.running(); }, std::chrono::seconds(60)));

  const auto output = chat::testing::read_file(out);
  const auto result = figures_of(output);
  ASSERT_TRUE(result.contains("figures")) << output;
  const auto& f = result.at("figures");
  EXPECT_EQ(f.at("sent").get<double>(), kRate * 4) << "the schedule, whatever came back\n" << output;
  EXPECT_EQ(f.at("acked").get<double>(), f.at("sent").get<double>()) << output;
  EXPECT_EQ(f.at("lost").get<double>(), 0) << output;
  EXPECT_GE(f.at("ack_max_ms").get<double>(), 1000) << output;
  // Where the wait was: the messages due during the stall found their sender's window full (5
  // in flight) and waited in its outbox for the thaw; the ones in flight when the broker froze
  // waited inside it. Both latencies are split out of send->ack.
  EXPECT_EQ(f.at("publish_ack_samples").get<double>(), f.at("acked").get<double>()) << output;
  EXPECT_GE(f.at("outbox_wait_max_ms").get<double>(), 1000) << output;
  EXPECT_GE(f.at("publish_ack_max_ms").get<double>(), 1000) << output;

  // Per-window figures: 4 full windows of the send phase, each offered the full rate.
  const auto& windows = result.at("windows");
  ASSERT_GE(windows.size(), 4U) << output;
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(windows[i].at("sent_per_s").get<double>(), kRate) << "window " << i << "\n" << output;
    EXPECT_LE(windows[i].at("ack_p50_ms").get<double>(), windows[i].at("ack_p99_ms").get<double>());
  }
  for (const auto& w : windows) {
    // A message is published at or after its due time: publish->ack never exceeds due->ack.
    EXPECT_LE(w.at("pub_ack_max_ms").get<double>(), w.at("ack_max_ms").get<double>()) << output;
  }
  EXPECT_EQ(windows.back().at("unacked_end").get<double>(), 0) << "drained: nothing due is unacked\n" << output;
  double acked_in_windows = 0;
  for (const auto& w : windows) acked_in_windows += w.at("acked_per_s").get<double>() > 0 ? 1 : 0;
  EXPECT_GE(acked_in_windows, 3) << output;

  // Every message due during the stall counts it: hundreds of acks late by half a second or
  // more. A loop that waited for acks before sending (coordinated omission) would show only
  // the 5 x 2 messages that were in flight when the broker froze.
  std::ifstream in(latencies);
  int late = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    double sent = 0;
    double latency = 0;
    std::string kind;
    if (fields >> sent >> latency >> kind && kind == "ack" && latency >= 500) ++late;
  }
  EXPECT_GE(late, 100) << output;
}

TEST(LoadgenIntegration, PaceAndDurationEndTheSendPhase) {
  MosquittoBroker broker;
  const auto run =
      loadgen({"--mode", "plain", "--uri", broker.uri(), "--users", "3", "--duration", "1", "--rate", "200"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // 200 in one second: the fixed-rate schedule, whatever the broker does.
  EXPECT_EQ(run.figure("sent"), 200) << run.output;
  expect_clean(run, run.figure("sent"));
}

TEST(LoadgenIntegration, PlainBaselinesOfTheOtherScenarios) {
  MosquittoBroker broker;
  const auto fanout =
      loadgen({"--mode", "fanout", "--plain", "--uri", broker.uri(), "--group-size", "5", "--messages", "50"});
  expect_clean(fanout, 50);
  EXPECT_EQ(fanout.figure("expected"), 250);  // every member, the sender's own device too

  const auto sync = loadgen({"--mode", "sync", "--plain", "--uri", broker.uri(), "--messages", "200", "--groups", "4"});
  ASSERT_EQ(sync.exit_code, 0) << sync.output;
  EXPECT_EQ(sync.figure("expected"), 200);
  EXPECT_EQ(sync.figure("delivered"), 200);
  EXPECT_EQ(sync.figure("lost"), 0);
  EXPECT_EQ(sync.figure("duplicates"), 0);
  EXPECT_GT(sync.figure("catch_up_s"), 0);

  const auto storm =
      loadgen({"--mode", "connect-storm", "--plain", "--uri", broker.uri(), "--users", "40", "--connect-window", "8"});
  ASSERT_EQ(storm.exit_code, 0) << storm.output;
  EXPECT_EQ(storm.figure("connected"), 40);
  EXPECT_EQ(storm.figure("connect_failed"), 0);
  EXPECT_EQ(storm.figure("connack_samples"), 40);
}

TEST(LoadgenIntegration, ModesThatHaveNotLandedSayNotAvailable) {
  // platform and sync have landed (bridge_integration_tests runs them); without a database they say so.
  const auto platform = loadgen({"--mode", "platform", "--database-url", "host=127.0.0.1 port=1 connect_timeout=1"});
  EXPECT_EQ(platform.exit_code, 1) << platform.output;
  const auto sync = loadgen({"--mode", "sync", "--database-url", "host=127.0.0.1 port=1 connect_timeout=1"});
  EXPECT_EQ(sync.exit_code, 1) << sync.output;
  EXPECT_EQ(loadgen({"--mode", "sync"}).exit_code, 2) << "no database named";
  for (const auto& args : {std::vector<std::string>{"--mode", "fanout"}, {"--mode", "connect-storm"}}) {
    const auto run = loadgen(args);
    EXPECT_EQ(run.exit_code, kExitNotAvailable) << run.output;
    EXPECT_EQ(run.result.value("available", true), false) << run.output;
    EXPECT_NE(run.output.find("not available: "), std::string::npos) << run.output;
  }
  EXPECT_EQ(loadgen({"--mode", "plain", "--users", "0"}).exit_code, 2);
}

TEST(LoadgenIntegration, UnackedMessagesAreResentWithTheSameIdAfterTheBrokerComesBack) {
  MosquittoBroker broker;
  chat::testing::TempDir dir("chat-loadgen-test");
  const auto log = dir.path() / "loadgen.out";
  chat::testing::ChildProcess child(
      {CHAT_LOADGEN_PATH, "--mode", "plain", "--uri", broker.uri(), "--users", "4", "--duration", "3", "--rate", "300",
       "--inflight", "20", "--drain-timeout", "30", "--json"},
      log.string());

  // Freeze the broker mid-run so that publishes pile up unacked, then crash and restart it.
  ASSERT_TRUE(chat::testing::wait_until(
      [&] { return chat::testing::read_file(log).find("send phase begins") != std::string::npos; },
      std::chrono::seconds(30)));
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // into the send phase
  const auto pid = std::stoi(chat::testing::read_file(broker.dir() / "mosquitto.pid"));
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  broker.kill_hard();
  broker.start();

  ASSERT_TRUE(chat::testing::wait_until([&] { return !child.running(); }, std::chrono::seconds(60)));
  const auto output = chat::testing::read_file(log);
  const auto result = figures_of(output);
  ASSERT_TRUE(result.contains("figures")) << output;
  const auto& f = result.at("figures");
  const auto sent = f.at("sent").get<double>();
  EXPECT_GT(sent, 0) << output;
  // The contract's client rule: everything unacked went out again, same id, and was acked.
  EXPECT_EQ(f.at("acked").get<double>(), sent) << output;
  EXPECT_GT(f.at("resends").get<double>(), 0) << output;
  EXPECT_GE(f.at("reconnects").get<double>(), 4) << output;
  // A plain broker with clean sessions drops what was addressed to a client while it was away:
  // the loadgen reports it, and the counts stay consistent.
  EXPECT_EQ(f.at("delivered").get<double>() + f.at("lost").get<double>(), f.at("expected").get<double>()) << output;
  EXPECT_EQ(f.at("unexpected").get<double>(), 0) << output;
  EXPECT_EQ(f.at("foreign").get<double>(), 0) << output;
}

}  // namespace
