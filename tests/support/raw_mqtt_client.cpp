#include "chat/testing/raw_mqtt_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace chat::testing {
namespace {

constexpr std::uint8_t kConnack = 2;
constexpr std::uint8_t kPublish = 3;
constexpr std::uint8_t kPuback = 4;
constexpr std::uint8_t kSuback = 9;
constexpr std::size_t kMaxQueuedPublishes = 10000;  // a client that never reads its publishes stays bounded

void put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

void put_string(std::string& out, const std::string& s) {
  put_u16(out, static_cast<std::uint16_t>(s.size()));
  out += s;
}

std::string encode(std::uint8_t header, const std::string& body) {
  std::string out(1, static_cast<char>(header));
  std::size_t length = body.size();
  do {  // the remaining length as a variable byte integer
    auto byte = static_cast<std::uint8_t>(length % 128);
    length /= 128;
    if (length > 0) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (length > 0);
  return out + body;
}

std::uint16_t get_u16(const std::string& s, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(s[at]) << 8) | static_cast<std::uint8_t>(s[at + 1]));
}

// Skips an MQTT 5 property block at `at`; returns the offset after it.
std::size_t skip_properties(const std::string& s, std::size_t at) {
  std::size_t length = 0;
  int shift = 0;
  while (at < s.size()) {
    const auto byte = static_cast<std::uint8_t>(s[at++]);
    length |= static_cast<std::size_t>(byte & 0x7f) << shift;
    shift += 7;
    if ((byte & 0x80) == 0) break;
  }
  return at + length;
}

}  // namespace

RawMqttClient::RawMqttClient(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    close();
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
}

RawMqttClient::~RawMqttClient() { close(); }

void RawMqttClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RawMqttClient::send_bytes(const std::string& bytes) {
  std::size_t sent = 0;
  while (fd_ >= 0 && sent < bytes.size()) {
    const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close();
      return;
    }
    sent += static_cast<std::size_t>(n);
  }
}

std::uint16_t RawMqttClient::next_packet_id() {
  if (++last_packet_id_ == 0) last_packet_id_ = 1;
  return last_packet_id_;
}

std::optional<RawMqttClient::Packet> RawMqttClient::read_packet(std::chrono::steady_clock::time_point deadline) {
  while (fd_ >= 0) {
    // A whole packet in the inbox?
    if (inbox_.size() >= 2) {
      std::size_t length = 0;
      std::size_t at = 1;
      int shift = 0;
      bool complete_length = false;
      while (at < inbox_.size() && at <= 4) {
        const auto byte = static_cast<std::uint8_t>(inbox_[at++]);
        length |= static_cast<std::size_t>(byte & 0x7f) << shift;
        shift += 7;
        if ((byte & 0x80) == 0) {
          complete_length = true;
          break;
        }
      }
      if (complete_length && inbox_.size() >= at + length) {
        Packet p{static_cast<std::uint8_t>(inbox_[0]), inbox_.substr(at, length)};
        inbox_.erase(0, at + length);
        return p;
      }
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    char buffer[65536];
    const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close();
      return std::nullopt;
    }
    inbox_.append(buffer, static_cast<std::size_t>(n));
  }
  return std::nullopt;
}

void RawMqttClient::keep_publish(const Packet& packet) {
  const int qos = (packet.header >> 1) & 3;
  std::size_t at = 0;
  const auto topic_length = get_u16(packet.body, at);
  RawPublish received;
  received.topic = packet.body.substr(2, topic_length);
  received.qos = qos;
  at = 2 + topic_length;
  if (qos > 0) {
    const auto id = get_u16(packet.body, at);
    at += 2;
    std::string ack;
    put_u16(ack, id);
    send_bytes(encode(kPuback << 4, ack));
  }
  if (version_ == 5) at = skip_properties(packet.body, at);
  received.payload = packet.body.substr(std::min(at, packet.body.size()));
  if (publishes_.size() < kMaxQueuedPublishes) publishes_.push_back(std::move(received));
}

std::optional<RawMqttClient::Packet> RawMqttClient::await(std::uint8_t type, std::chrono::milliseconds timeout,
                                                          bool& closed) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  closed = false;
  while (true) {
    auto p = read_packet(deadline);
    if (!p) {
      closed = fd_ < 0;
      return std::nullopt;
    }
    const std::uint8_t got = p->header >> 4;
    if (got == type) return p;
    if (got == kPublish) keep_publish(*p);
    // Anything else (a DISCONNECT before the close, a PINGRESP) is skipped.
  }
}

int RawMqttClient::connect(const RawConnect& options, std::chrono::milliseconds timeout) {
  version_ = options.version;
  std::string body;
  put_string(body, "MQTT");
  body.push_back(static_cast<char>(options.version));
  std::uint8_t flags = 0x02;  // clean session / clean start
  if (options.username) flags |= 0x80;
  if (options.password) flags |= 0x40;
  body.push_back(static_cast<char>(flags));
  put_u16(body, options.keepalive_s);
  if (version_ == 5) body.push_back(0);  // no properties
  put_string(body, options.client_id);
  if (options.username) put_string(body, *options.username);
  if (options.password) put_string(body, *options.password);
  send_bytes(encode(0x10, body));
  bool closed = false;
  const auto connack = await(kConnack, timeout, closed);
  if (!connack) return closed ? kClosed : kTimeout;
  if (connack->body.size() < 2) return kClosed;
  return static_cast<std::uint8_t>(connack->body[1]);
}

std::vector<int> RawMqttClient::subscribe(const std::vector<std::string>& filters, int qos,
                                          std::chrono::milliseconds timeout) {
  const auto id = next_packet_id();
  std::string body;
  put_u16(body, id);
  if (version_ == 5) body.push_back(0);
  for (const auto& filter : filters) {
    put_string(body, filter);
    body.push_back(static_cast<char>(qos));
  }
  send_bytes(encode(0x82, body));
  bool closed = false;
  while (const auto suback = await(kSuback, timeout, closed)) {
    if (suback->body.size() < 2 || get_u16(suback->body, 0) != id) continue;
    const std::size_t at = version_ == 5 ? skip_properties(suback->body, 2) : 2;
    std::vector<int> codes;
    for (std::size_t i = at; i < suback->body.size(); ++i) codes.push_back(static_cast<std::uint8_t>(suback->body[i]));
    return codes;
  }
  return {};
}

int RawMqttClient::subscribe(const std::string& filter, int qos) {
  const auto codes = subscribe(std::vector<std::string>{filter}, qos);
  if (codes.empty()) return open() ? kTimeout : kClosed;
  return codes.front();
}

int RawMqttClient::publish(const std::string& topic, const std::string& payload, int qos, bool retain,
                           std::chrono::milliseconds timeout) {
  std::string body;
  put_string(body, topic);
  std::uint16_t id = 0;
  if (qos > 0) {
    id = next_packet_id();
    put_u16(body, id);
  }
  if (version_ == 5) body.push_back(0);
  body += payload;
  send_bytes(encode(static_cast<std::uint8_t>(0x30 | (qos << 1) | (retain ? 1 : 0)), body));
  if (!open()) return kClosed;
  if (qos == 0) return 0;
  bool closed = false;
  while (const auto puback = await(qos == 1 ? kPuback : 5 /* PUBREC */, timeout, closed)) {
    if (puback->body.size() < 2 || get_u16(puback->body, 0) != id) continue;
    // MQTT 5 leaves the reason code out when it is 0; 3.1.1 has none.
    return puback->body.size() >= 3 ? static_cast<std::uint8_t>(puback->body[2]) : 0;
  }
  return closed ? kClosed : kTimeout;
}

std::optional<RawPublish> RawMqttClient::next_publish(std::chrono::milliseconds timeout,
                                                      const std::optional<std::string>& topic) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    for (auto it = publishes_.begin(); it != publishes_.end(); ++it) {
      if (!topic || it->topic == *topic) {
        RawPublish found = std::move(*it);
        publishes_.erase(it);
        return found;
      }
    }
    auto p = read_packet(deadline);
    if (!p) return std::nullopt;
    if ((p->header >> 4) == kPublish) keep_publish(*p);
  }
}

bool RawMqttClient::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (open()) {
    auto p = read_packet(deadline);
    if (!p) return !open();
    if ((p->header >> 4) == kPublish) keep_publish(*p);
  }
  return true;
}

}  // namespace chat::testing
