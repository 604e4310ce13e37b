#include "hostile_test.hpp"

#include "chat/testing/environment.hpp"

#include <nlohmann/json.hpp>

namespace chat::hostile {
namespace {

std::string message_payload(const std::string& id) {
  return nlohmann::json{{"id", id}, {"type", "text"}, {"text", "just chatting"}}.dump();
}

// The window's message ids start with the case's name: unique in the suite,
// within the contract's id pattern, and safe in SQL.
std::string window_prefix() {
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string prefix;
  for (const char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) prefix.push_back(c);
  }
  return prefix.substr(0, 48);
}

}  // namespace

testing::Bystander& HostileTest::bystander() {
  // Created on first use and kept for the whole binary: the same devices
  // publish through every case, as real users would.
  static const std::unique_ptr<testing::Bystander> instance = [] {
    auto& stack = HostileStack::get();
    std::vector<testing::BystanderDevice> devices;
    for (const auto& user : stack.bystanders) {
      devices.push_back({stack.sign_in(user), "dm/" + stack.sink.uid() + "/msg/" + user.uid()});
    }
    return std::make_unique<testing::Bystander>(stack.port(), devices, kBystanderRate, message_payload);
  }();
  return *instance;
}

void HostileTest::under_attack(const std::function<void(int round)>& round, Rounds rounds) {
  auto& probe = bystander();
  const std::string prefix = window_prefix();
  probe.open_window(prefix);
  int n = 0;
  do {
    round(n++);
    if (HasFatalFailure()) break;
  } while (rounds == Rounds::repeatedly && probe.samples() < kMinSamples);
  EXPECT_TRUE(probe.wait_samples(kMinSamples, kSamplesGuard)) << "the bystanders were not served";
  std::cout << "[ attack    ] " << n << " rounds\n";
  RecordProperty("attack_rounds", n);
  check_bystanders(probe.close_window(), prefix);
}

void HostileTest::check_bystanders(const testing::BystanderWindow& window, const std::string& prefix) {
  // Information only (scripts/bench-hostile reads these properties): how fast
  // the bystanders were served is a benchmark's figure, never a test's verdict.
  RecordProperty("bystander_p50_ms", std::to_string(window.percentile_ms(50)));
  RecordProperty("bystander_p99_ms", std::to_string(window.percentile_ms(99)));
  std::cout << "[ bystander ] " << window.latencies_ms.size() << " PUBACKs, p50 " << window.percentile_ms(50)
            << " ms, p99 " << window.percentile_ms(99) << " ms, max " << window.percentile_ms(100)
            << " ms (informational)\n";

  // Served: every publish of the window acked, none refused or unanswered.
  EXPECT_GE(window.latencies_ms.size(), kMinSamples);
  EXPECT_EQ(window.failures, 0u) << "bystander publishes refused or unanswered";
  std::size_t acked = 0;
  for (const auto& ids : window.acked) acked += ids.size();
  EXPECT_EQ(acked, window.ids.size()) << "every bystander publish acked";

  // Nothing lost: each message of the window stored, once, and each device's
  // in the order it published them (a device sends its next message after
  // the PUBACK of the one before).
  const std::string count_sql = "SELECT count(*) FROM messages WHERE client_msg_id LIKE '" + prefix + "-%'";
  const auto expected = static_cast<std::int64_t>(window.ids.size());
  testing::wait_until([&] { return stack().psql_int(count_sql) >= expected; }, 60s, 50ms);
  EXPECT_EQ(stack().psql_int(count_sql), expected) << "bystander messages stored";
  EXPECT_EQ(
      stack().psql_int("SELECT count(DISTINCT (sender_id, client_msg_id)) FROM messages WHERE client_msg_id LIKE '" +
                       prefix + "-%'"),
      expected)
      << "bystander messages stored exactly once";
  const auto& bystanders = stack().bystanders;
  for (std::size_t device = 0; device < window.acked.size() && device < bystanders.size(); ++device) {
    std::string published;  // as psql prints them: one a line
    for (const auto& id : window.acked[device]) published += (published.empty() ? "" : "\n") + id;
    const std::string stored =
        stack().psql("SELECT client_msg_id FROM messages WHERE sender_id = " + bystanders[device].uid() +
                     " AND client_msg_id LIKE '" + prefix + "-%' ORDER BY seq");
    EXPECT_EQ(stored, published) << bystanders[device].name << "'s messages stored in the order published";
  }
  EXPECT_TRUE(stack().bridge_running()) << stack().bridge_log();
}

// No attack: the bystanders alone. Asserts what every case asserts, and gives
// scripts/bench-hostile its baseline, measured in the same run as the attacks
// (this file's cases register first, so it runs before them).
TEST_F(HostileTest, NoAttackBaseline) {
  under_attack([](int) {}, Rounds::once);
}

StackUser HostileTest::fresh_attacker() {
  static int attackers = 0;
  return stack().add_user("attacker" + std::to_string(++attackers));
}

std::unique_ptr<RawMqttClient> HostileTest::connect_as(const StackUser& user, const std::string& device, int version) {
  auto client = std::make_unique<RawMqttClient>(stack().port());
  EXPECT_EQ(client->connect(stack().sign_in(user, device, version)), kAccepted) << user.name << " signs in";
  return client;
}

void HostileTest::subscribe_events(RawMqttClient& client, const StackUser& user) {
  ASSERT_EQ(client.subscribe("u/" + user.uid() + "/ev"), 1);
}

int HostileTest::try_connect(const RawConnect& options) {
  RawMqttClient client(stack().port());
  return client.connect(options);
}

std::string HostileTest::next_event(RawMqttClient& client, const StackUser& user, const std::string& ev,
                                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string topic = "u/" + user.uid() + "/ev";
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const auto event = client.next_publish(left, topic);
    if (!event) return {};
    const auto parsed = nlohmann::json::parse(event->payload, nullptr, false);
    if (parsed.is_object() && parsed.value("ev", "") == ev) return event->payload;
  }
  return {};
}

bool HostileTest::await_ack(RawMqttClient& client, const StackUser& user, const std::string& id,
                            std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const auto event = nlohmann::json::parse(next_event(client, user, "acks", left), nullptr, false);
    if (!event.is_object()) return false;
    for (const auto& ack : event.value("acks", nlohmann::json::array())) {
      if (ack.value("id", "") == id) return true;
    }
  }
  return false;
}

std::string HostileTest::nack_of(RawMqttClient& client, const StackUser& user, const std::string& id,
                                 std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    std::string nack = next_event(client, user, "nack", left);
    if (nack.empty()) return {};
    const auto event = nlohmann::json::parse(nack, nullptr, false);
    if (event.is_object() && event.contains("id") && event["id"] == id) return nack;
  }
  return {};
}

void HostileTest::await_marker(RawMqttClient& sender, RawMqttClient& watcher, const std::string& topic,
                               const std::string& marker_id) {
  ASSERT_EQ(sender.publish(topic, message_payload(marker_id)), kAccepted) << "the marker is accepted";
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto got = watcher.next_publish(1s, topic);
    ASSERT_TRUE(got) << "the marker did not arrive on " << topic;
    if (got->payload.find(marker_id) != std::string::npos) return;
    ADD_FAILURE() << "before the marker, " << topic << " delivered: " << got->payload;
  }
}

}  // namespace chat::hostile
