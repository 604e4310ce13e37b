#include "raw_ws_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <stdexcept>

namespace chat::testing {

int RawWsClient::Frame::close_code() const {
  if (opcode != 0x8 || payload.size() < 2) return 0;
  return static_cast<unsigned char>(payload[0]) * 256 + static_cast<unsigned char>(payload[1]);
}

RawWsClient::RawWsClient(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd_);
    throw std::runtime_error("connect to the gateway");
  }
}

RawWsClient::~RawWsClient() { ::close(fd_); }

bool RawWsClient::fill(std::size_t size, std::chrono::steady_clock::time_point deadline, bool& ended) {
  while (buffer_.size() < size) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    pollfd wait{fd_, POLLIN, 0};
    if (::poll(&wait, 1, static_cast<int>(left)) <= 0) continue;
    char chunk[4096];
    const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got <= 0) {
      ended = true;
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(got));
  }
  return true;
}

int RawWsClient::upgrade(std::chrono::milliseconds timeout) {
  // The key's value does not matter to this client: it does not check the accept header.
  const std::string request =
      "GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Protocol: mqtt\r\n\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool ended = false;
  std::size_t head_end = std::string::npos;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(buffer_.size() + 1, deadline, ended)) return 0;
  }
  const std::string status_line = buffer_.substr(0, buffer_.find("\r\n"));
  buffer_.erase(0, head_end + 4);
  // "HTTP/1.1 101 Switching Protocols"
  const std::size_t space = status_line.find(' ');
  return space == std::string::npos ? 0 : std::atoi(status_line.c_str() + space + 1);
}

bool RawWsClient::send_frame(int opcode, const std::string& payload) {
  static std::mt19937 random(std::random_device{}());
  std::string frame(1, static_cast<char>(0x80 | opcode));
  const std::size_t size = payload.size();
  if (size < 126) {
    frame.push_back(static_cast<char>(0x80 | size));
  } else if (size < 65536) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(size >> 8));
    frame.push_back(static_cast<char>(size & 0xFF));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((size >> shift) & 0xFF));
  }
  char mask[4];
  for (char& byte : mask) byte = static_cast<char>(random() & 0xFF);
  frame.append(mask, 4);
  for (std::size_t i = 0; i < size; ++i) frame.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return ::send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(frame.size());
}

RawWsClient::Frame RawWsClient::next_frame(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Frame frame;
  bool ended = false;
  const auto stopped = [&] {
    frame.kind = ended ? Frame::Kind::ended : Frame::Kind::timeout;
    return frame;
  };
  if (!fill(2, deadline, ended)) return stopped();
  // Server frames are never masked.
  std::size_t size = static_cast<unsigned char>(buffer_[1]) & 0x7F;
  std::size_t header = 2;
  if (size == 126 || size == 127) {
    const std::size_t length_bytes = size == 126 ? 2 : 8;
    if (!fill(2 + length_bytes, deadline, ended)) return stopped();
    size = 0;
    for (std::size_t i = 0; i < length_bytes; ++i) size = size * 256 + static_cast<unsigned char>(buffer_[2 + i]);
    header += length_bytes;
  }
  if (!fill(header + size, deadline, ended)) return stopped();
  frame.kind = Frame::Kind::frame;
  frame.opcode = static_cast<unsigned char>(buffer_[0]) & 0x0F;
  frame.payload = buffer_.substr(header, size);
  buffer_.erase(0, header + size);
  return frame;
}

}  // namespace chat::testing
