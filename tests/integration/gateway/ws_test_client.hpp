#pragma once
// A WebSocket client for the gateway's tests, on Boost.Beast, that does what
// a browser's MQTT library would not: it offers any subprotocol and Origin,
// sends text frames and oversized messages, splits and joins MQTT packets
// across messages at will, and reports the close code it was given. Every
// call has a deadline; none throws for what the server does.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace chat::testing {

struct WsHandshake {
  std::string target = "/mqtt";
  std::optional<std::string> subprotocols = "mqtt";  // Sec-WebSocket-Protocol; nullopt: none offered
  std::optional<std::string> origin;                 // Origin; nullopt: not sent
  bool tls = false;                                  // wss://, trusting `ca_file`
  std::string ca_file;
};

struct WsHandshakeResult {
  int status = 0;           // HTTP status: 101 upgraded; 0 no answer (closed, timeout)
  std::string subprotocol;  // what the server answered
  std::string body;         // a refusal's body
  std::string error;        // what went wrong, for messages
};

struct WsIncoming {
  enum class Kind { message, closed, timeout };
  Kind kind = Kind::timeout;
  std::string data;  // message bytes
  bool binary = false;
  int close_code = 0;  // closed: the code of the server's close frame (0: none, the TCP connection ended)
};

class WsTestClient {
 public:
  explicit WsTestClient(std::uint16_t port);
  ~WsTestClient();
  WsTestClient(const WsTestClient&) = delete;
  WsTestClient& operator=(const WsTestClient&) = delete;

  WsHandshakeResult handshake(const WsHandshake& options = {},
                              std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool send_binary(const std::string& bytes);
  bool send_text(const std::string& text);
  WsIncoming read(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Reads until the server's close (true) or the timeout; messages meanwhile are dropped.
  WsIncoming wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // A clean closing handshake with 1000.
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chat::testing
