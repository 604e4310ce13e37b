// The gateway's idle timeout against a real broker: a signed-in WebSocket
// that goes silent is pinged at half the idle time and its connection ended
// at the end of it; one that answers the pings (as browsers do) or keeps sending MQTT
// PINGREQs stays open past it, which its PINGRESP after the idle time shows.
// (The handshake timeout: SlowHandshakeIsClosedAfterTheHandshakeTimeout.)
#include "gateway_test_env.hpp"
#include "mqtt_bytes.hpp"
#include "raw_ws_client.hpp"

#include <gtest/gtest.h>

namespace chat::gateway::testing {
namespace {

namespace mb = chat::mqtt_bytes;
using chat::testing::RawWsClient;
using Frame = RawWsClient::Frame;

constexpr int kIdleTimeoutS = 1;
constexpr auto kIdleTimeout = std::chrono::seconds(kIdleTimeoutS);
constexpr std::uint8_t kPingReq = 0xC0;
constexpr std::uint8_t kPingResp = 13;  // its packet type
constexpr std::uint8_t kConnAck = 2;

// A signed-in MQTT client over a RawWsClient, reading the gateway's frames one by one.
class SignedInClient {
 public:
  SignedInClient(const GatewayProcess& gateway, const TestUser& user, const std::string& device)
      : ws_(gateway.ws_port()) {
    EXPECT_EQ(ws_.upgrade(), 101);
    // The gateway's idle time counts from the last bytes it got: at the earliest, from now.
    connect_sent_at_ = std::chrono::steady_clock::now();
    EXPECT_TRUE(ws_.send_binary(mb::connect(user.client_id(device), user.name, user.token())));
    const auto connack = next_packet();
    EXPECT_TRUE(connack && connack->type == kConnAck && connack->code() == 0) << gateway.log();
  }

  // The next MQTT packet; WebSocket control frames on the way are handed to
  // `on_control` (a ping, answered or not) and a close or the end stops it.
  template <class OnControl>
  std::optional<mb::Packet> next_packet(OnControl on_control, std::chrono::milliseconds timeout = 10s) {
    for (;;) {
      if (auto packet = reader_.next()) return packet;
      last_ = ws_.next_frame(timeout);
      if (last_.kind != Frame::Kind::frame || last_.opcode == 0x8) return std::nullopt;
      if (last_.opcode == 0x2 || last_.opcode == 0x0) {
        reader_.feed(last_.payload);
      } else {
        on_control(last_);
      }
    }
  }
  std::optional<mb::Packet> next_packet() {
    return next_packet([](const Frame& frame) { ADD_FAILURE() << "control frame " << frame.opcode; });
  }

  RawWsClient& ws() { return ws_; }
  const Frame& last_frame() const { return last_; }
  // Since the CONNECT, the last MQTT bytes the client sent unless it sends more.
  std::chrono::steady_clock::duration since_connect() const {
    return std::chrono::steady_clock::now() - connect_sent_at_;
  }

 private:
  RawWsClient ws_;
  mb::PacketReader reader_;
  Frame last_;
  std::chrono::steady_clock::time_point connect_sent_at_;
};

class GatewayIdleTest : public ::testing::Test {
 protected:
  GatewayIdleTest() : gateway({{"idle_timeout_s", std::to_string(kIdleTimeoutS)}}) {}
  GatewayProcess gateway;
};

TEST_F(GatewayIdleTest, ASilentClientIsPingedThenClosedAfterTheIdleTimeout) {
  SignedInClient client(gateway, environment().make_user(), "silent");
  // It sends nothing, not even a pong: first the gateway's ping, then the end
  // of the connection (Beast's idle timeout closes the socket without a close
  // frame; a close frame, should one come, must say 1001 going away).
  const Frame ping = client.ws().next_frame(10s);
  ASSERT_EQ(ping.kind, Frame::Kind::frame);
  EXPECT_EQ(ping.opcode, 0x9) << "a ping first, at half the idle time";
  Frame closing = client.ws().next_frame(10s);
  ASSERT_NE(closing.kind, Frame::Kind::timeout) << "the silent client was not closed";
  EXPECT_GE(client.since_connect(), kIdleTimeout) << "closed before the idle timeout";
  if (closing.kind == Frame::Kind::frame) {
    EXPECT_EQ(closing.opcode, 0x8);
    EXPECT_EQ(closing.close_code(), 1001) << "going away";
    closing = client.ws().next_frame(10s);
    EXPECT_EQ(closing.kind, Frame::Kind::ended) << "the TCP connection stays open after the close";
  }
  EXPECT_TRUE(gateway.wait_metric("chat_gateway_closes_total{reason=\"idle\"}", 1)) << gateway.get("/metrics").second;
}

// A browser sends nothing while nobody writes, but answers each ping with a
// pong: it stays open for as long as it does.
TEST_F(GatewayIdleTest, AClientThatAnswersPingsStaysOpenPastTheIdleTimeout) {
  SignedInClient client(gateway, environment().make_user(), "ponging");
  int pings = 0;
  // Three pings mean at least 1.5 idle times of silence but for the pongs.
  while (pings < 3) {
    const Frame frame = client.ws().next_frame(10s);
    ASSERT_EQ(frame.kind, Frame::Kind::frame) << "closed after " << pings << " pings";
    ASSERT_EQ(frame.opcode, 0x9);
    ++pings;
    ASSERT_TRUE(client.ws().send_frame(0xA, frame.payload));
  }
  ASSERT_GT(client.since_connect(), kIdleTimeout);
  // Still piped to the broker, which answers.
  ASSERT_TRUE(client.ws().send_binary(std::string(1, static_cast<char>(kPingReq)) + '\0'));
  const auto pingresp = client.next_packet([](const Frame& frame) { EXPECT_EQ(frame.opcode, 0x9); });
  ASSERT_TRUE(pingresp) << "closed; its last frame had opcode " << client.last_frame().opcode;
  EXPECT_EQ(pingresp->type, kPingResp);
}

// MQTT keepalives are traffic too: a client that never answers a WebSocket
// ping but sends PINGREQ whenever the gateway pings it stays open.
TEST_F(GatewayIdleTest, AClientThatKeepsSendingMqttPingsStaysOpenPastTheIdleTimeout) {
  SignedInClient client(gateway, environment().make_user(), "keepalive");
  const std::string pingreq = std::string(1, static_cast<char>(kPingReq)) + '\0';
  int rounds = 0;
  while (client.since_connect() <= 2 * kIdleTimeout) {
    const Frame ping = client.ws().next_frame(10s);
    ASSERT_EQ(ping.kind, Frame::Kind::frame) << "closed after " << rounds << " PINGREQs";
    ASSERT_EQ(ping.opcode, 0x9);
    ASSERT_TRUE(client.ws().send_binary(pingreq));  // and no pong
    const auto pingresp = client.next_packet();
    ASSERT_TRUE(pingresp) << "closed after " << rounds << " PINGREQs";
    EXPECT_EQ(pingresp->type, kPingResp);
    ++rounds;
  }
  // The last PINGRESP came after two idle times: the connection was never closed.
  EXPECT_GE(rounds, 2);
}

}  // namespace
}  // namespace chat::gateway::testing
