#pragma once
// A WebSocket client on a bare socket, for what WsTestClient (Boost.Beast)
// cannot do: Beast answers every ping by itself while it reads, so a client
// that stays silent — no pong either — can only be written by hand. This one
// shows the test every frame the gateway sends (pings, close) and answers
// nothing unless told to.
#include <chrono>
#include <cstdint>
#include <string>

namespace chat::testing {

class RawWsClient {
 public:
  struct Frame {
    enum class Kind { frame, ended, timeout };
    Kind kind = Kind::timeout;
    int opcode = 0;  // 0x2 binary, 0x8 close, 0x9 ping, 0xA pong
    std::string payload;
    int close_code() const;  // a close frame's code; 0 when it has none
  };

  explicit RawWsClient(std::uint16_t port);  // connects to 127.0.0.1:port
  ~RawWsClient();
  RawWsClient(const RawWsClient&) = delete;
  RawWsClient& operator=(const RawWsClient&) = delete;

  // The upgrade request to /mqtt offering `mqtt`; the response's status (101
  // upgraded), 0 when none came within the timeout.
  int upgrade(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // One masked, final frame, as a browser sends it.
  bool send_frame(int opcode, const std::string& payload);
  bool send_binary(const std::string& payload) { return send_frame(0x2, payload); }
  // The next frame from the gateway; `ended` when the TCP connection ended.
  Frame next_frame(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  // Reads until `buffer_` holds `size` bytes; false at the deadline or the end.
  bool fill(std::size_t size, std::chrono::steady_clock::time_point deadline, bool& ended);

  int fd_ = -1;
  std::string buffer_;
};

}  // namespace chat::testing
