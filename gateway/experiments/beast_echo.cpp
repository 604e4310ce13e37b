// The Boost.Beast side of the library comparison (README.md here): a
// WebSocket server that sends every binary message back, on one io_context
// thread with C++20 coroutines, as chat-gateway is built.
//
//   chat-beast-echo PORT
#include <utility>  // Boost 1.74's asio headers use std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdlib>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

asio::awaitable<void> echo(tcp::socket socket) {
  socket.set_option(tcp::no_delay(true));
  websocket::stream<beast::tcp_stream> ws(std::move(socket));
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(beast::http::field::sec_websocket_protocol, "mqtt"); }));
  ws.read_message_max(65536);
  ws.binary(true);
  ws.auto_fragment(false);
  beast::error_code ec;
  co_await ws.async_accept(asio::redirect_error(asio::use_awaitable, ec));
  beast::flat_buffer buffer;
  while (!ec) {
    co_await ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    co_await ws.async_write(buffer.data(), asio::redirect_error(asio::use_awaitable, ec));
    buffer.consume(buffer.size());
  }
}

asio::awaitable<void> listen(tcp::acceptor& acceptor) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio::co_spawn(acceptor.get_executor(), echo(std::move(socket)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  asio::io_context io(1);
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::atoi(argv[1]))});
  asio::co_spawn(io, listen(acceptor), asio::detached);
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const beast::error_code&, int) { io.stop(); });
  io.run();
  return 0;
}
