#pragma once
// MQTT 3.1.1 packets as bytes, for clients that cut and join them across
// WebSocket messages themselves (the gateway's tests, its benchmark): the few
// packets they send, and a reader that finds whole packets in a byte stream
// however it was split. Not a general MQTT codec: no properties, no QoS 2.
#include <cstdint>
#include <optional>
#include <string>

namespace chat::mqtt_bytes {

inline std::string remaining_length(std::size_t length) {
  std::string out;
  do {
    auto byte = static_cast<unsigned char>(length % 128);
    length /= 128;
    if (length > 0) byte = static_cast<unsigned char>(byte | 0x80);
    out.push_back(static_cast<char>(byte));
  } while (length > 0);
  return out;
}

inline std::string u16(std::size_t value) {
  return {static_cast<char>((value >> 8) & 0xff), static_cast<char>(value & 0xff)};
}

inline std::string field(const std::string& text) { return u16(text.size()) + text; }

inline std::string packet(std::uint8_t header, const std::string& body) {
  return std::string(1, static_cast<char>(header)) + remaining_length(body.size()) + body;
}

// CONNECT, MQTT 3.1.1, clean session, username and password.
inline std::string connect(const std::string& client_id, const std::string& username, const std::string& password,
                           std::uint16_t keepalive_s = 60) {
  const std::string variable = field("MQTT") + std::string(1, '\x04') + std::string(1, '\xC2') + u16(keepalive_s);
  return packet(0x10, variable + field(client_id) + field(username) + field(password));
}

inline std::string subscribe(std::uint16_t packet_id, const std::string& filter, int qos = 1) {
  return packet(0x82, u16(packet_id) + field(filter) + std::string(1, static_cast<char>(qos)));
}

// QoS 1 PUBLISH.
inline std::string publish(std::uint16_t packet_id, const std::string& topic, const std::string& payload) {
  return packet(0x32, field(topic) + u16(packet_id) + payload);
}

inline std::string puback(std::uint16_t packet_id) { return packet(0x40, u16(packet_id)); }

struct Packet {
  std::uint8_t type = 0;   // the high nibble: 2 CONNACK, 3 PUBLISH, 4 PUBACK, 9 SUBACK
  std::uint8_t flags = 0;  // the low nibble
  std::string body;

  // CONNACK's return code, SUBACK's first code.
  int code() const {
    if (type == 2 && body.size() >= 2) return static_cast<unsigned char>(body[1]);
    if (type == 9 && body.size() >= 3) return static_cast<unsigned char>(body[2]);
    return -1;
  }
  std::string publish_topic() const {
    if (body.size() < 2) return {};
    const std::size_t length =
        static_cast<std::size_t>(static_cast<unsigned char>(body[0])) * 256 + static_cast<unsigned char>(body[1]);
    return body.substr(2, length);
  }
  std::string publish_payload() const {
    const std::size_t topic_end = 2 + publish_topic().size();
    const std::size_t id_bytes = ((flags >> 1) & 3) > 0 ? 2 : 0;
    return body.size() >= topic_end + id_bytes ? body.substr(topic_end + id_bytes) : std::string();
  }
  std::uint16_t publish_id() const {
    const std::size_t at = 2 + publish_topic().size();
    if (((flags >> 1) & 3) == 0 || body.size() < at + 2) return 0;
    return static_cast<std::uint16_t>(static_cast<unsigned>(static_cast<unsigned char>(body[at])) * 256u +
                                      static_cast<unsigned char>(body[at + 1]));
  }
};

// Whole packets out of bytes that arrive in any pieces.
class PacketReader {
 public:
  void feed(const std::string& bytes) { pending_ += bytes; }
  std::optional<Packet> next() {
    std::size_t length = 0;
    std::size_t at = 1;
    for (int shift = 0;; shift += 7, ++at) {
      if (at >= pending_.size() || shift > 21) return std::nullopt;
      const auto byte = static_cast<unsigned char>(pending_[at]);
      length |= static_cast<std::size_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) break;
    }
    ++at;
    if (pending_.size() < at + length) return std::nullopt;
    Packet packet;
    packet.type = static_cast<std::uint8_t>(static_cast<unsigned char>(pending_[0]) >> 4);
    packet.flags = static_cast<std::uint8_t>(static_cast<unsigned char>(pending_[0]) & 0x0f);
    packet.body = pending_.substr(at, length);
    pending_.erase(0, at + length);
    return packet;
  }
  std::size_t buffered() const { return pending_.size(); }

 private:
  std::string pending_;
};

}  // namespace chat::mqtt_bytes
