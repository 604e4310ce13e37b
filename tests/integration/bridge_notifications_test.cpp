// Notifications in the legacy format (webhook_format = legacy; the Matrix
// format is bridge_push_test.cpp's): each recipient with no online device
// gets one job in the outbox, written with the message; the worker POSTs it
// to the webhook at least once, retrying with backoff while the webhook fails.
#include "bridge_test_env.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>

namespace chat::bridge::testing {
namespace {

// A webhook on a free loopback port that records every request and answers
// `fail_first` of them with 500.
class TestWebhook {
 public:
  explicit TestWebhook(int fail_first = 0) : fail_first_(fail_first), port_(chat::testing::free_loopback_port()) {
    server_.Post("/push", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      bodies_.push_back(request.body);
      response.status = static_cast<int>(bodies_.size()) <= fail_first_ ? 500 : 200;
    });
    if (!server_.bind_to_port("127.0.0.1", port_)) throw std::runtime_error("cannot bind the test webhook");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~TestWebhook() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/push"; }
  std::vector<std::string> bodies() const {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  bool wait_requests(std::size_t n, std::chrono::milliseconds timeout) const {
    return chat::testing::wait_until([&] { return bodies().size() >= n; }, timeout);
  }

 private:
  int fail_first_;
  std::uint16_t port_;
  httplib::Server server_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> bodies_;
};

class BridgeNotifications : public BridgeTest {};

TEST_F(BridgeNotifications, AnOfflineRecipientIsNotifiedOnce) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");      // offline: no device online
  const auto carol = make_user("carol");  // online
  const std::vector<storage::UserId> members{bob.id, carol.id};
  const auto team = store().chats().create_group(alice.id, "team", members);
  TestWebhook webhook;
  auto bridge = start_bridge({"--webhook-format", "legacy", "--webhook-url", webhook.url(), "--webhook-poll-ms", "50"});
  auto connected = clients({carol.id, alice.id});
  auto& c = connected[0];
  auto& a = connected[1];
  c->publish_raw("st/" + std::to_string(carol.id) + "/phone", "online");
  ASSERT_TRUE(chat::testing::wait_until([&] { return psql("SELECT count(*) FROM devices WHERE online") == "1"; }, 10s));
  a->send("g/" + std::to_string(team.id) + "/msg/" + std::to_string(alice.id), "g1",
          "a rather long text that goes on and on, well past the hundred characters a lock screen shows of it, "
          "so the preview is cut");
  ASSERT_TRUE(a->wait_all_answered(10s));

  // Every job was queued with the message (one transaction); once the outbox
  // is empty, each was sent, and the webhook recorded it before answering.
  ASSERT_TRUE(webhook.wait_requests(1, 10s)) << bridge->log();
  ASSERT_TRUE(chat::testing::wait_until([&] { return psql("SELECT count(*) FROM notification_outbox") == "0"; }, 10s))
      << bridge->log();
  const auto bodies = webhook.bodies();
  ASSERT_EQ(bodies.size(), 1u) << "carol is online, alice sent it: only bob";
  const auto n = nlohmann::json::parse(bodies[0]);
  EXPECT_EQ(n["recipient"], bob.id);
  EXPECT_EQ(n["sender"], alice.id);
  EXPECT_EQ(n["sender_name"], "alice");
  EXPECT_EQ(n["chat"], team.id);
  EXPECT_EQ(n["chat_kind"], "group");
  EXPECT_EQ(n["chat_title"], "team");
  EXPECT_EQ(n["seq"], 1);
  EXPECT_EQ(n["badge"], 1);
  EXPECT_EQ(n["id"], "n-" + std::to_string(bob.id) + "-" + std::to_string(team.id) + "-1");
  const std::string preview = n["preview"];
  EXPECT_EQ(preview.rfind("a rather long text", 0), 0u);
  EXPECT_LE(preview.size(), 103u);
  EXPECT_EQ(bridge->metric("chat_bridge_notifications_sent_total"), 1);
}

TEST_F(BridgeNotifications, AFailingWebhookIsRetriedWithBackoffUntilItAccepts) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  TestWebhook webhook(/*fail_first=*/2);
  auto bridge = start_bridge({"--webhook-format", "legacy", "--webhook-url", webhook.url(), "--webhook-poll-ms", "50",
                              "--webhook-backoff-first-ms", "200", "--webhook-backoff-max-ms", "1000"});
  auto a = client(alice.id);
  a->send("dm/" + std::to_string(bob.id) + "/msg/" + std::to_string(alice.id), "d1", "hi bob");
  ASSERT_TRUE(a->wait_all_answered(10s));
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(webhook.wait_requests(3, 15s)) << bridge->log();
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms) << "retries came without backoff";
  // The job leaves the outbox once the webhook accepted it: no attempt after that.
  ASSERT_TRUE(chat::testing::wait_until([&] { return psql("SELECT count(*) FROM notification_outbox") == "0"; }, 5s));
  const auto bodies = webhook.bodies();
  ASSERT_EQ(bodies.size(), 3u);
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    const auto n = nlohmann::json::parse(bodies[i]);
    EXPECT_EQ(n["recipient"], bob.id);
    EXPECT_EQ(n["chat_kind"], "direct");
    EXPECT_EQ(n["preview"], "hi bob");
    EXPECT_EQ(n["attempt"], i + 1);
  }
  EXPECT_EQ(bridge->metric("chat_bridge_notifications_failed_total"), 2);
  EXPECT_EQ(bridge->metric("chat_bridge_notifications_sent_total"), 1);
}

TEST_F(BridgeNotifications, PendingNotificationsSurviveARestart) {
  const auto alice = make_user("alice");
  const auto bob = make_user("bob");
  // No webhook yet: the bridge writes the job but cannot deliver it.
  const std::string dead_url = "http://127.0.0.1:" + std::to_string(chat::testing::free_loopback_port()) + "/push";
  auto bridge = start_bridge({"--webhook-format", "legacy", "--webhook-url", dead_url, "--webhook-poll-ms", "50",
                              "--webhook-backoff-first-ms", "100", "--webhook-backoff-max-ms", "200"});
  auto a = client(alice.id);
  a->send("dm/" + std::to_string(bob.id) + "/msg/" + std::to_string(alice.id), "d1");
  ASSERT_TRUE(a->wait_all_answered(10s));
  ASSERT_TRUE(
      chat::testing::wait_until([&] { return psql("SELECT attempts >= 1 FROM notification_outbox") == "t"; }, 10s));
  bridge->kill_hard();

  TestWebhook webhook;
  bridge = start_bridge({"--webhook-format", "legacy", "--webhook-url", webhook.url(), "--webhook-poll-ms", "50"});
  // A job the dead bridge had claimed comes back when its 30 s lease runs out;
  // one it had already given back is due within the backoff.
  ASSERT_TRUE(webhook.wait_requests(1, 40s)) << bridge->log();
  EXPECT_EQ(nlohmann::json::parse(webhook.bodies()[0])["recipient"], bob.id);
}

}  // namespace
}  // namespace chat::bridge::testing
