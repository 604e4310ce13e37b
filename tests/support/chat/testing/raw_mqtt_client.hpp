#pragma once
// An MQTT client that speaks the protocol byte by byte over a blocking
// loopback socket, for hostile tests: it sends what a well-behaved library
// would refuse to (wildcards in topic names, invalid UTF-8, QoS 2, thousands
// of filters in one SUBSCRIBE), reports the broker's exact answer codes, and
// opens a connection in well under a millisecond (Paho's receive thread polls
// new sockets once a second, which makes connect floods impossible).
//
// MQTT 5 and 3.1.1 (CONNECT, SUBSCRIBE, PUBLISH QoS 0/1/2, PUBACK both ways);
// no properties are sent, none are read. Not thread-safe: one thread per client.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace chat::testing {

struct RawConnect {
  std::string client_id;
  std::optional<std::string> username;
  std::optional<std::string> password;
  int version = 5;  // 4 = 3.1.1, 5 = MQTT 5
  std::uint16_t keepalive_s = 60;
};

struct RawPublish {
  std::string topic;
  std::string payload;
  int qos = 0;
};

class RawMqttClient {
 public:
  // Codes returned when the broker gave no answer packet.
  static constexpr int kClosed = -1;   // the broker closed the connection
  static constexpr int kTimeout = -2;  // nothing came in time

  explicit RawMqttClient(std::uint16_t port);
  ~RawMqttClient();
  RawMqttClient(const RawMqttClient&) = delete;
  RawMqttClient& operator=(const RawMqttClient&) = delete;

  // The CONNACK's return code (3.1.1) or reason code (5): 0 accepted.
  int connect(const RawConnect& options, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The SUBACK's codes, one per filter (granted QoS, or >= 0x80 refused);
  // empty when the broker closed the connection or did not answer in time.
  std::vector<int> subscribe(const std::vector<std::string>& filters, int qos = 1,
                             std::chrono::milliseconds timeout = std::chrono::seconds(5));
  int subscribe(const std::string& filter, int qos = 1);
  // QoS 1: the PUBACK's reason code (0 success, 135 not authorized, ...).
  // QoS 0: 0 once written. QoS 2 and other refusals by disconnection: kClosed.
  int publish(const std::string& topic, const std::string& payload, int qos = 1, bool retain = false,
              std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // The next PUBLISH received on any subscription (QoS 1 ones are acked),
  // or, with `topic`, the next one on that topic (others stay queued).
  std::optional<RawPublish> next_publish(std::chrono::milliseconds timeout,
                                         const std::optional<std::string>& topic = std::nullopt);
  // Waits until the broker closes the connection; false if it is still open after `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout);
  bool open() const { return fd_ >= 0; }
  void close();

  // Writes raw bytes as they are (malformed packets).
  void send_bytes(const std::string& bytes);

 private:
  struct Packet {
    std::uint8_t header = 0;
    std::string body;
  };
  std::optional<Packet> read_packet(std::chrono::steady_clock::time_point deadline);
  // Reads packets until one of `type` arrives (PUBLISHes are queued meanwhile).
  std::optional<Packet> await(std::uint8_t type, std::chrono::milliseconds timeout, bool& closed);
  void keep_publish(const Packet& packet);
  std::uint16_t next_packet_id();

  int fd_ = -1;
  int version_ = 5;
  std::uint16_t last_packet_id_ = 0;
  std::string inbox_;  // bytes read but not yet parsed
  std::deque<RawPublish> publishes_;
};

}  // namespace chat::testing
