// Connection-level floods and garbage: hundreds of CONNECTs with forged
// tokens, bytes that are no MQTT at all, a CONNECT of an unknown protocol.
// (Floods of password sign-ins are issue #13's items 4 and 14, left to
// their fixes.)
#include "forged_tokens.hpp"
#include "hostile_test.hpp"

namespace chat::hostile {
namespace {

TEST_F(HostileTest, ConnectFloodWithForgedTokens) {
  const std::string forged = hand_made_jwt(R"({"alg":"HS256","typ":"JWT"})",
                                           claims(stack().alice.id, stack().alice.name, unix_now_s() + 60),
                                           "not the platform's secret at all, sorry", 256);
  const RawConnect as_alice{.client_id = stack().alice.client_id("flood"), .username = stack().alice.name,
                            .password = forged};
  int refused = 0;
  under_attack([&](int) {
    // Ten at a time, all open before any answer is read.
    std::vector<std::unique_ptr<RawMqttClient>> wave;
    for (int i = 0; i < 10; ++i) {
      wave.push_back(std::make_unique<RawMqttClient>(stack().port()));
    }
    for (auto& client : wave) ASSERT_EQ(client->connect(as_alice), kNotAuthorized);
    refused += 10;
  });
  EXPECT_GE(refused, 100);
}

TEST_F(HostileTest, GarbageInsteadOfMqttClosesTheConnection) {
  under_attack([&](int) {
    RawMqttClient client(stack().port());
    client.send_bytes("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    ASSERT_TRUE(client.wait_closed(5s));
  });
}

TEST_F(HostileTest, PublishBeforeConnectClosesTheConnection) {
  under_attack([&](int) {
    RawMqttClient client(stack().port());
    ASSERT_EQ(client.publish("dm/" + stack().alice.uid() + "/msg/" + stack().mallory.uid(),
                             R"({"id":"early","type":"text","text":"x"})", 1),
              RawMqttClient::kClosed);
  });
  EXPECT_EQ(stack().psql_int("SELECT count(*) FROM messages WHERE client_msg_id = 'early'"), 0);
}

TEST_F(HostileTest, UnknownProtocolVersionIsRefused) {
  under_attack([&](int) {
    RawMqttClient client(stack().port());
    RawConnect options = stack().sign_in(stack().mallory);
    options.version = 9;
    const int code = client.connect(options);
    // MQTT: a CONNACK "unacceptable protocol version" (3.1.1's 1 / MQTT 5's 0x84), or just the close.
    ASSERT_TRUE(code == 1 || code == 0x84 || code == RawMqttClient::kClosed) << code;
  });
}

}  // namespace
}  // namespace chat::hostile
