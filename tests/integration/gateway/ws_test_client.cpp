#include "ws_test_client.hpp"

#include <utility>  // Boost 1.74's asio headers use std::exchange without including it

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <variant>

namespace chat::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace

struct WsTestClient::Impl {
  std::uint16_t port;
  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::variant<std::monostate, std::unique_ptr<PlainWs>, std::unique_ptr<TlsWs>> ws;
  beast::flat_buffer buffer;

  // Runs the io_context until `done` or the timeout; on timeout closes the
  // socket so the pending operation ends (its handler then runs).
  template <class Ws>
  bool run(Ws& stream, const bool& done, std::chrono::milliseconds timeout) {
    io.restart();
    io.run_for(timeout);
    if (!done) {
      beast::get_lowest_layer(stream).close();
      io.restart();
      io.run_for(std::chrono::seconds(5));
      return false;
    }
    return true;
  }

  template <class Ws>
  WsHandshakeResult handshake(Ws& stream, const WsHandshake& options, std::chrono::milliseconds timeout) {
    WsHandshakeResult result;
    bool done = false;
    stream.set_option(websocket::stream_base::decorator([options](websocket::request_type& request) {
      if (options.subprotocols) request.set(http::field::sec_websocket_protocol, *options.subprotocols);
      if (options.origin) request.set(http::field::origin, *options.origin);
    }));
    auto response = std::make_shared<websocket::response_type>();
    auto finish_upgrade = [&, response](beast::error_code ec) {
      done = true;
      result.status = static_cast<int>(response->result_int());
      result.body = response->body();
      if (auto it = response->find(http::field::sec_websocket_protocol); it != response->end()) {
        result.subprotocol = std::string(it->value());
      }
      if (ec) result.error = ec.message();
    };
    auto& socket = beast::get_lowest_layer(stream).socket();
    beast::error_code ec;
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (ec) {
      result.error = "connect: " + ec.message();
      return result;
    }
    if constexpr (std::is_same_v<Ws, TlsWs>) {
      stream.next_layer().async_handshake(asio::ssl::stream_base::client, [&, response](beast::error_code tls_ec) {
        if (tls_ec) {
          done = true;
          result.error = "tls: " + tls_ec.message();
          return;
        }
        stream.async_handshake(*response, "127.0.0.1", options.target, finish_upgrade);
      });
    } else {
      stream.async_handshake(*response, "127.0.0.1", options.target, finish_upgrade);
    }
    if (!run(stream, done, timeout)) result.error = "timeout";
    if (result.status == 101) {
      stream.binary(true);
      stream.auto_fragment(false);
      stream.read_message_max(64 * 1024 * 1024);
    }
    return result;
  }

  template <class Ws>
  bool write(Ws& stream, const std::string& bytes, bool binary) {
    bool done = false;
    bool ok = false;
    stream.binary(binary);
    stream.async_write(asio::buffer(bytes), [&](beast::error_code ec, std::size_t) {
      done = true;
      ok = !ec;
    });
    run(stream, done, std::chrono::seconds(5));
    return ok;
  }

  template <class Ws>
  WsIncoming read(Ws& stream, std::chrono::milliseconds timeout) {
    WsIncoming incoming;
    bool done = false;
    stream.async_read(buffer, [&](beast::error_code ec, std::size_t) {
      done = true;
      if (ec) {
        incoming.kind = WsIncoming::Kind::closed;
        incoming.close_code = ec == websocket::error::closed ? static_cast<int>(stream.reason().code) : 0;
        return;
      }
      incoming.kind = WsIncoming::Kind::message;
      incoming.binary = stream.got_binary();
      incoming.data = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
    });
    if (!run(stream, done, timeout)) return WsIncoming{};
    return incoming;
  }

  template <class Ws>
  void close(Ws& stream) {
    bool done = false;
    stream.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
    run(stream, done, std::chrono::seconds(5));
  }

  template <class F>
  auto with_stream(F&& f) {
    if (auto* plain = std::get_if<std::unique_ptr<PlainWs>>(&ws)) return f(**plain);
    return f(*std::get<std::unique_ptr<TlsWs>>(ws));
  }
};

WsTestClient::WsTestClient(std::uint16_t port) : impl_(std::make_unique<Impl>()) { impl_->port = port; }
WsTestClient::~WsTestClient() = default;

WsHandshakeResult WsTestClient::handshake(const WsHandshake& options, std::chrono::milliseconds timeout) {
  if (options.tls) {
    impl_->tls.load_verify_file(options.ca_file);
    impl_->tls.set_verify_mode(asio::ssl::verify_peer);
    impl_->ws = std::make_unique<TlsWs>(impl_->io, impl_->tls);
  } else {
    impl_->ws = std::make_unique<PlainWs>(impl_->io);
  }
  return impl_->with_stream([&](auto& stream) { return impl_->handshake(stream, options, timeout); });
}

bool WsTestClient::send_binary(const std::string& bytes) {
  return impl_->with_stream([&](auto& stream) { return impl_->write(stream, bytes, true); });
}

bool WsTestClient::send_text(const std::string& text) {
  return impl_->with_stream([&](auto& stream) { return impl_->write(stream, text, false); });
}

WsIncoming WsTestClient::read(std::chrono::milliseconds timeout) {
  return impl_->with_stream([&](auto& stream) { return impl_->read(stream, timeout); });
}

WsIncoming WsTestClient::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return WsIncoming{};
    WsIncoming incoming = read(left);
    if (incoming.kind != WsIncoming::Kind::message) return incoming;
  }
}

void WsTestClient::close() {
  impl_->with_stream([&](auto& stream) { impl_->close(stream); });
}

}  // namespace chat::testing
