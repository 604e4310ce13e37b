// chat-gateway against a real mosquitto with broker-config/ and the auth
// plugin over a real PostgreSQL: a stock WebSocket MQTT client (paho) signs
// in and chats with a TCP client; a raw WebSocket client splits and joins
// MQTT packets across messages and tries what the gateway must refuse.
#include "gateway_test_env.hpp"
#include "mqtt_bytes.hpp"
#include "ws_test_client.hpp"

#include "chat/testing/environment.hpp"
#include "chat/testing/mosquitto_broker.hpp"
#include "chat/testing/mqtt_test_client.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace chat::gateway::testing {
namespace {

namespace mb = chat::mqtt_bytes;
using chat::testing::MqttTestClient;
using chat::testing::WsHandshake;
using chat::testing::WsIncoming;
using chat::testing::WsTestClient;
using Settings = std::map<std::string, std::string>;

std::string paho_client_script() {
  return (chat::testing::source_dir() / "tests/integration/gateway/paho_ws_client.py").string();
}

std::string text_message(const std::string& id, const std::string& text = "hi") {
  return nlohmann::json{{"id", id}, {"type", "text"}, {"text", text}}.dump();
}

std::string dm_topic(const TestUser& to, const TestUser& from) { return "dm/" + to.uid() + "/msg/" + from.uid(); }

// A raw WebSocket client that reads MQTT packets from whatever messages arrive.
class MqttOverWs {
 public:
  explicit MqttOverWs(std::uint16_t port) : ws(port) {}

  std::optional<mb::Packet> next_packet(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto packet = reader.next()) return packet;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      WsIncoming incoming = ws.read(left);
      if (incoming.kind != WsIncoming::Kind::message) {
        last_close = incoming;
        return std::nullopt;
      }
      EXPECT_TRUE(incoming.binary) << "the gateway sends binary messages only";
      ++messages;
      reader.feed(incoming.data);
    }
  }

  // Signs in (the CONNECT in one message) and returns the CONNACK's code (-1 none).
  int sign_in(const TestUser& user, const std::string& device) {
    if (ws.handshake().status != 101) return -1;
    ws.send_binary(mb::connect(user.client_id(device), user.name, user.token()));
    auto connack = next_packet();
    return connack && connack->type == 2 ? connack->code() : -1;
  }

  WsTestClient ws;
  mb::PacketReader reader;
  std::size_t messages = 0;  // WebSocket messages received
  WsIncoming last_close;
};

class GatewayTest : public ::testing::Test {
 protected:
  static TestUser make_user() { return environment().make_user(); }

  static std::unique_ptr<MqttTestClient> tcp_client(const TestUser& user, const std::string& device) {
    auto client = std::make_unique<MqttTestClient>(environment().broker().uri(), user.client_id(device));
    EXPECT_EQ(client->connect({.username = user.name, .password = user.token()}), 0) << environment().broker().log();
    return client;
  }

  // The next message on `topic`, skipping others.
  static std::optional<chat::testing::ReceivedMessage> next_on(MqttTestClient& client, const std::string& topic,
                                                               std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto message = client.next_message(left);
      if (!message || message->topic == topic) return message;
    }
  }
};

// ---- a stock client: Python paho with transport="websockets" ---------------------

// The stock client as a child process; its JSON lines land in a file.
struct PahoRun {
  explicit PahoRun(std::vector<std::string> args) {
    // Debian's python3, which has python3-paho-mqtt (a python3 first on PATH may not).
    args.insert(args.begin(), {"/usr/bin/python3", paho_client_script()});
    process = std::make_unique<chat::testing::ChildProcess>(args, (dir.path() / "out.log").string());
  }
  chat::testing::TempDir dir{"chat-gateway-paho"};
  std::unique_ptr<chat::testing::ChildProcess> process;
  std::string output() const { return chat::testing::read_file(dir.path() / "out.log"); }
  bool wait_output(const std::string& needle, std::chrono::milliseconds timeout = 15s) {
    return chat::testing::wait_until([&] { return output().find(needle) != std::string::npos || !process->running(); },
                                     timeout) &&
           output().find(needle) != std::string::npos;
  }
  // The exit code, once it exited (-1 when killed or still running after `timeout`).
  int exit_code(std::chrono::milliseconds timeout = 20s) {
    chat::testing::wait_until([&] { return !process->running(); }, timeout);
    const int status = process->stop(1s);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

TEST_F(GatewayTest, StockWebSocketClientChatsWithATcpClient) {
  GatewayProcess gateway;
  const auto browser_user = make_user();
  const auto phone_user = make_user();
  auto phone = tcp_client(phone_user, "phone");
  ASSERT_EQ(phone->subscribe("dm/" + phone_user.uid() + "/#"), 1);

  // The browser-shaped client subscribes to its inbox, sends the phone a message, and waits for one.
  PahoRun paho(std::vector<std::string>{
      gateway.ws_url(), browser_user.client_id("web"), browser_user.name, browser_user.token(), "--origin",
      "http://app.test:8080", "--subscribe", "dm/" + browser_user.uid() + "/#", "--publish",
      dm_topic(phone_user, browser_user), text_message("w1", "from the web"), "--expect", "1"});
  ASSERT_TRUE(paho.wait_output("\"published\"")) << paho.output() << gateway.log();
  auto at_phone = next_on(*phone, dm_topic(phone_user, browser_user));
  ASSERT_TRUE(at_phone) << paho.output();
  EXPECT_EQ(at_phone->payload, text_message("w1", "from the web"));

  // The phone answers over TCP; the browser-shaped client gets it through the gateway.
  ASSERT_EQ(phone->publish(dm_topic(browser_user, phone_user), text_message("p1", "from the phone")), 0);
  EXPECT_EQ(paho.exit_code(), 0) << paho.output() << gateway.log();
  bool received = false;
  std::istringstream lines(paho.output());
  for (std::string line; std::getline(lines, line);) {
    const auto event = nlohmann::json::parse(line, nullptr, false);
    received = received || (event.value("event", "") == "message" &&
                            event.value("topic", "") == dm_topic(browser_user, phone_user) &&
                            event.value("payload", "") == text_message("p1", "from the phone"));
  }
  EXPECT_TRUE(received) << paho.output();
  EXPECT_EQ(gateway.metric("chat_gateway_upgrades_total"), 1);
}

TEST_F(GatewayTest, StockClientOverWssWithTheStackCertificate) {
  GatewayProcess gateway;
  const auto user = make_user();
  const auto other = make_user();
  auto listener = tcp_client(other, "phone");
  ASSERT_EQ(listener->subscribe("dm/" + other.uid() + "/#"), 1);
  PahoRun paho(std::vector<std::string>{gateway.wss_url(), user.client_id("web"), user.name, user.token(), "--ca",
                                        gateway.ca_file().string(), "--origin", "http://app.test:8080", "--publish",
                                        dm_topic(other, user), text_message("tls1")});
  EXPECT_EQ(paho.exit_code(), 0) << paho.output() << gateway.log();
  auto got = next_on(*listener, dm_topic(other, user));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->payload, text_message("tls1"));
}

TEST_F(GatewayTest, StockClientWithABadTokenIsRefusedByThePlugin) {
  GatewayProcess gateway;
  const auto user = make_user();
  PahoRun paho(std::vector<std::string>{gateway.ws_url(), user.client_id("web"), user.name, user.token() + "x",
                                        "--origin", "http://app.test:8080"});
  EXPECT_EQ(paho.exit_code(), 2) << paho.output() << gateway.log();
  EXPECT_NE(paho.output().find("\"rc\": 5"), std::string::npos) << "3.1.1 CONNACK 5, not authorized: " << paho.output();
  // The broker closed its side after the refusal; the gateway closed the WebSocket in turn.
  EXPECT_TRUE(gateway.wait_metric("chat_gateway_pipes_open", 0)) << gateway.get("/metrics").second;
}

// ---- packets split and joined across WebSocket messages ---------------------------

TEST_F(GatewayTest, PacketsSplitAcrossMessagesArrive) {
  GatewayProcess gateway;
  const auto user = make_user();
  MqttOverWs client(gateway.ws_port());
  ASSERT_EQ(client.ws.handshake().status, 101);
  // The CONNECT in three messages, cut inside its header and inside the password.
  const std::string connect = mb::connect(user.client_id("split"), user.name, user.token());
  ASSERT_TRUE(client.ws.send_binary(connect.substr(0, 1)));
  ASSERT_TRUE(client.ws.send_binary(connect.substr(1, 20)));
  ASSERT_TRUE(client.ws.send_binary(connect.substr(21)));
  auto connack = client.next_packet();
  ASSERT_TRUE(connack) << gateway.log() << environment().broker().log();
  EXPECT_EQ(connack->type, 2);
  EXPECT_EQ(connack->code(), 0);

  // Broker to client: a message larger than one read of the gateway (16 KiB) reaches the
  // client in several WebSocket messages; the client's MQTT reader puts it together.
  const std::string inbox = "dm/" + user.uid() + "/#";
  client.ws.send_binary(mb::subscribe(1, inbox));
  auto suback = client.next_packet();
  ASSERT_TRUE(suback);
  EXPECT_EQ(suback->type, 9);
  const auto sender = make_user();
  auto phone = tcp_client(sender, "phone");
  const std::string big = text_message("big1", std::string(40000, 'b'));
  ASSERT_EQ(phone->publish(dm_topic(user, sender), big), 0);
  const std::size_t before = client.messages;
  auto publish = client.next_packet();
  ASSERT_TRUE(publish);
  EXPECT_EQ(publish->type, 3);
  EXPECT_EQ(publish->publish_payload(), big);
  EXPECT_GE(client.messages - before, 2u) << "40 kB from the broker came in one WebSocket message";
}

TEST_F(GatewayTest, PacketsJoinedInOneMessageArrive) {
  GatewayProcess gateway;
  const auto user = make_user();
  const auto friend_user = make_user();
  auto phone = tcp_client(friend_user, "phone");
  ASSERT_EQ(phone->subscribe("dm/" + friend_user.uid() + "/#"), 1);

  MqttOverWs client(gateway.ws_port());
  ASSERT_EQ(client.ws.handshake().status, 101);
  // CONNECT, SUBSCRIBE and two PUBLISHes in one WebSocket message.
  ASSERT_TRUE(client.ws.send_binary(mb::connect(user.client_id("joined"), user.name, user.token()) +
                                    mb::subscribe(1, "dm/" + user.uid() + "/#") +
                                    mb::publish(2, dm_topic(friend_user, user), text_message("j1")) +
                                    mb::publish(3, dm_topic(friend_user, user), text_message("j2"))));
  std::vector<int> types;
  for (int i = 0; i < 4; ++i) {
    auto packet = client.next_packet();
    ASSERT_TRUE(packet) << "after " << types.size() << " packets\n" << gateway.log();
    types.push_back(packet->type);
  }
  EXPECT_EQ(types, (std::vector<int>{2, 9, 4, 4})) << "CONNACK, SUBACK, PUBACK, PUBACK";
  for (const char* id : {"j1", "j2"}) {
    auto got = next_on(*phone, dm_topic(friend_user, user));
    ASSERT_TRUE(got) << id;
    EXPECT_EQ(got->payload, text_message(id));
  }
}

// ---- what the gateway refuses ------------------------------------------------------

TEST_F(GatewayTest, OversizedMessageClosesWith1009AndTheBrokerSideToo) {
  GatewayProcess gateway(Settings{{"max_message_bytes", "4096"}});
  const auto user = make_user();
  MqttOverWs client(gateway.ws_port());
  ASSERT_EQ(client.sign_in(user, "big"), 0);
  // A well-formed PUBLISH of 5000 bytes in one message: the broker waits for the rest of the
  // packet while the gateway counts past 4096 and closes.
  ASSERT_TRUE(client.ws.send_binary(mb::publish(1, "dm/1/msg/" + user.uid(), std::string(5000, 'x'))));
  const WsIncoming closed = client.ws.wait_closed();
  ASSERT_EQ(closed.kind, WsIncoming::Kind::closed);
  EXPECT_EQ(closed.close_code, 1009) << "message too big";
  EXPECT_TRUE(gateway.wait_metric("chat_gateway_closes_total{reason=\"too_big\"}", 1))
      << gateway.get("/metrics").second;
  // Mid-packet, mosquitto logs the end as "disconnected" rather than "closed its connection".
  EXPECT_TRUE(chat::testing::wait_until(
      [&] {
        return environment().broker().log().find("Client " + user.client_id("big") + " disconnected") !=
               std::string::npos;
      },
      10s))
      << "the broker did not see the connection close\n"
      << environment().broker().log();
}

TEST_F(GatewayTest, TextMessageClosesWith1003) {
  GatewayProcess gateway;
  const auto user = make_user();
  MqttOverWs client(gateway.ws_port());
  ASSERT_EQ(client.sign_in(user, "text"), 0);
  ASSERT_TRUE(client.ws.send_text("hello"));
  const WsIncoming closed = client.ws.wait_closed();
  ASSERT_EQ(closed.kind, WsIncoming::Kind::closed);
  EXPECT_EQ(closed.close_code, 1003) << "unsupported data: binary only";
}

TEST_F(GatewayTest, HandshakeWithoutMqttSubprotocolIsRefused) {
  GatewayProcess gateway;
  for (const std::optional<std::string>& offered :
       {std::optional<std::string>("binary"), std::optional<std::string>()}) {
    WsTestClient client(gateway.ws_port());
    const auto result = client.handshake({.subprotocols = offered});
    EXPECT_EQ(result.status, 400) << offered.value_or("(none)") << ": " << result.error;
    EXPECT_NE(result.body.find("mqtt"), std::string::npos) << result.body;
  }
  EXPECT_EQ(gateway.metric("chat_gateway_refusals_total{reason=\"subprotocol\"}"), 2);

  for (const char* offered : {"mqtt", "binary, mqttv3.1", "mqttv3.1"}) {
    WsTestClient client(gateway.ws_port());
    const auto result = client.handshake({.subprotocols = std::string(offered)});
    EXPECT_EQ(result.status, 101) << offered << ": " << result.error;
    EXPECT_EQ(result.subprotocol, std::string(offered) == "mqtt" ? "mqtt" : "mqttv3.1");
    client.close();
  }
}

TEST_F(GatewayTest, OriginNotAllowedIsRefused) {
  GatewayProcess gateway;
  WsTestClient evil(gateway.ws_port());
  const auto refused = evil.handshake({.origin = std::string("https://evil.example")});
  EXPECT_EQ(refused.status, 403) << refused.error;
  EXPECT_EQ(gateway.metric("chat_gateway_refusals_total{reason=\"origin\"}"), 1);

  WsTestClient app(gateway.ws_port());
  EXPECT_EQ(app.handshake({.origin = std::string("http://app.test:8080")}).status, 101);
  WsTestClient no_browser(gateway.ws_port());
  EXPECT_EQ(no_browser.handshake({}).status, 101) << "no Origin: not a browser, let through";
}

TEST_F(GatewayTest, ServesMqttAndRootPathsOnly) {
  GatewayProcess gateway;
  for (const char* path : {"/mqtt", "/", "/mqtt?client=web"}) {
    WsTestClient client(gateway.ws_port());
    EXPECT_EQ(client.handshake({.target = path}).status, 101) << path;
  }
  WsTestClient other(gateway.ws_port());
  EXPECT_EQ(other.handshake({.target = "/admin"}).status, 404);
}

// The slowloris: a handshake that dribbles in one byte at a time is closed after the
// handshake timeout, however long it keeps dribbling.
TEST_F(GatewayTest, SlowHandshakeIsClosedAfterTheHandshakeTimeout) {
  GatewayProcess gateway(Settings{{"handshake_timeout_ms", "1000"}});
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(gateway.ws_port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  const auto started = std::chrono::steady_clock::now();
  const std::string request = "GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(10000, 'a');
  bool closed = false;
  for (std::size_t sent = 0; sent < request.size() && !closed; ++sent) {
    if (::send(fd, request.data() + sent, 1, MSG_NOSIGNAL) != 1) {
      closed = true;
      break;
    }
    // The next byte goes when the gateway has said nothing for 100 ms; its close ends the wait.
    pollfd wait{fd, POLLIN, 0};
    if (::poll(&wait, 1, 100) > 0) {
      char byte;
      closed = ::recv(fd, &byte, 1, 0) <= 0;
    }
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ::close(fd);
  ASSERT_TRUE(closed) << "the gateway let the handshake dribble on";
  EXPECT_GE(elapsed, 900ms) << "closed before the handshake timeout";
  EXPECT_EQ(gateway.metric("chat_gateway_handshake_failures_total{stage=\"timeout\"}"), 1);
}

TEST_F(GatewayTest, ConnectionCapRefusesWith503UntilASlotFrees) {
  GatewayProcess gateway(Settings{{"max_connections", "2"}});
  WsTestClient first(gateway.ws_port());
  WsTestClient second(gateway.ws_port());
  ASSERT_EQ(first.handshake().status, 101);
  ASSERT_EQ(second.handshake().status, 101);
  WsTestClient third(gateway.ws_port());
  const auto refused = third.handshake();
  EXPECT_EQ(refused.status, 503) << refused.error;
  EXPECT_EQ(gateway.metric("chat_gateway_refusals_total{reason=\"cap\"}"), 1);

  first.close();
  ASSERT_TRUE(gateway.wait_metric("chat_gateway_connections_open", 1)) << gateway.get("/metrics").second;
  WsTestClient fourth(gateway.ws_port());
  EXPECT_EQ(fourth.handshake().status, 101);
}

// ---- closes propagate ---------------------------------------------------------------

TEST_F(GatewayTest, ClientCloseClosesTheBrokerConnection) {
  GatewayProcess gateway;
  const auto user = make_user();
  MqttOverWs client(gateway.ws_port());
  ASSERT_EQ(client.sign_in(user, "leaving"), 0);
  client.ws.close();
  EXPECT_TRUE(chat::testing::wait_until(
      [&] {
        return environment().broker().log().find("Client " + user.client_id("leaving") + " closed its connection") !=
               std::string::npos;
      },
      10s))
      << environment().broker().log();
  EXPECT_TRUE(gateway.wait_metric("chat_gateway_closes_total{reason=\"client_closed\"}", 1));
}

TEST_F(GatewayTest, BrokerCloseClosesTheWebSocket) {
  GatewayProcess gateway;
  const auto user = make_user();
  MqttOverWs client(gateway.ws_port());
  ASSERT_EQ(client.ws.handshake().status, 101);
  client.ws.send_binary(mb::connect(user.client_id("refused"), user.name, "not a token"));
  auto connack = client.next_packet();
  ASSERT_TRUE(connack);
  EXPECT_EQ(connack->code(), 5) << "not authorized";
  const WsIncoming closed = client.ws.wait_closed();
  ASSERT_EQ(closed.kind, WsIncoming::Kind::closed) << "the broker closed, the WebSocket stayed open";
  EXPECT_EQ(closed.close_code, 1000);
}

TEST_F(GatewayTest, SigtermDrainsWith1001AndExits) {
  GatewayProcess gateway;
  const auto user = make_user();
  MqttOverWs client(gateway.ws_port());
  ASSERT_EQ(client.sign_in(user, "drained"), 0);
  gateway.signal(SIGTERM);
  const WsIncoming closed = client.ws.wait_closed();
  ASSERT_EQ(closed.kind, WsIncoming::Kind::closed);
  EXPECT_EQ(closed.close_code, 1001) << "going away";
  const int status = gateway.wait_exit(10s);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << gateway.log();
}

TEST_F(GatewayTest, HealthzAndMetricsAnswer) {
  GatewayProcess gateway;
  EXPECT_EQ(gateway.get("/healthz"), std::make_pair(200, std::string("ok\n")));
  const auto [status, body] = gateway.get("/metrics");
  EXPECT_EQ(status, 200);
  EXPECT_NE(body.find("# TYPE chat_gateway_connections_open gauge"), std::string::npos) << body;
  EXPECT_EQ(gateway.get("/nothing").first, 404);
}

}  // namespace
}  // namespace chat::gateway::testing
