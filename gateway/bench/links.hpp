#pragma once
// The two ways the benchmark's clients reach the broker, behind one
// interface: plain TCP straight to the broker, or a WebSocket through the
// gateway (subprotocol mqtt, binary messages), as a browser's MQTT library does.
#include <utility>  // Boost 1.74's asio headers use std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <memory>
#include <string>

namespace chat::gateway_bench {

namespace asio = boost::asio;
namespace beast = boost::beast;

struct Endpoint {
  std::string transport;  // "tcp" or "ws"
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::string path = "/mqtt";
};

class Link {
 public:
  virtual ~Link() = default;
  virtual asio::awaitable<void> open(const Endpoint& endpoint) = 0;
  virtual asio::awaitable<void> write(const std::string& bytes) = 0;
  // Appends what arrived (a TCP read, or one WebSocket message) to `into`.
  virtual asio::awaitable<void> read(std::string& into) = 0;
};

std::unique_ptr<Link> make_link(const asio::any_io_executor& executor, const std::string& transport);

}  // namespace chat::gateway_bench
