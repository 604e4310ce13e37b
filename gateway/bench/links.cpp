#include "links.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

#include <stdexcept>

namespace chat::gateway_bench {
namespace {

using tcp = asio::ip::tcp;
namespace websocket = beast::websocket;
namespace http = beast::http;

tcp::endpoint resolve(const Endpoint& endpoint) { return {asio::ip::make_address(endpoint.host), endpoint.port}; }

class TcpLink final : public Link {
 public:
  explicit TcpLink(asio::any_io_executor executor) : stream_(executor) {}
  asio::awaitable<void> open(const Endpoint& endpoint) override {
    co_await stream_.async_connect(resolve(endpoint), asio::use_awaitable);
    stream_.socket().set_option(tcp::no_delay(true));
  }
  asio::awaitable<void> write(const std::string& bytes) override {
    co_await asio::async_write(stream_, asio::buffer(bytes), asio::use_awaitable);
  }
  asio::awaitable<void> read(std::string& into) override {
    char chunk[16 * 1024];
    const std::size_t size = co_await stream_.async_read_some(asio::buffer(chunk), asio::use_awaitable);
    into.append(chunk, size);
  }

 private:
  beast::tcp_stream stream_;
};

class WebSocketLink final : public Link {
 public:
  static constexpr std::size_t kWriteBufferBytes = 64 * 1024;
  explicit WebSocketLink(asio::any_io_executor executor) : ws_(executor) {}
  asio::awaitable<void> open(const Endpoint& endpoint) override {
    co_await beast::get_lowest_layer(ws_).async_connect(resolve(endpoint), asio::use_awaitable);
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& request) { request.set(http::field::sec_websocket_protocol, "mqtt"); }));
    co_await ws_.async_handshake(endpoint.host + ":" + std::to_string(endpoint.port), endpoint.path,
                                 asio::use_awaitable);
    ws_.binary(true);
    ws_.auto_fragment(false);
    // A browser sends a message as one frame in one write. Beast masks a
    // client's frame through a buffer of 4 KiB by default and writes it piece
    // by piece, so a window of publishes would reach the gateway in several
    // TCP segments (several wake-ups) where the TCP client sends one.
    ws_.write_buffer_bytes(kWriteBufferBytes);
  }
  asio::awaitable<void> write(const std::string& bytes) override {
    co_await ws_.async_write(asio::buffer(bytes), asio::use_awaitable);
  }
  asio::awaitable<void> read(std::string& into) override {
    buffer_.consume(buffer_.size());
    co_await ws_.async_read(buffer_, asio::use_awaitable);
    // A flat_buffer is one contiguous block: appended as it is, without the
    // temporary string buffers_to_string would build (the TCP link appends
    // its read the same way).
    into.append(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

}  // namespace

std::unique_ptr<Link> make_link(const asio::any_io_executor& executor, const std::string& transport) {
  if (transport == "tcp") return std::make_unique<TcpLink>(executor);
  if (transport == "ws") return std::make_unique<WebSocketLink>(executor);
  throw std::invalid_argument("transport must be tcp or ws");
}

}  // namespace chat::gateway_bench
