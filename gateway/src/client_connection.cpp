#include "client_connection.hpp"

#include "chat/gateway/upgrade_policy.hpp"
#include "websocket_pipe.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace chat::gateway {
namespace {

constexpr std::size_t kRequestHeaderLimit = 8 * 1024;  // an upgrade request is a few hundred bytes

template <class Stream>
awaitable<void> refuse(GatewayState& state, Stream& stream, unsigned version, http::status status,
                       const std::string& reason, const std::string& message) {
  state.metrics().refused(reason);
  http::response<http::string_body> response{status, version};
  response.set(http::field::server, "chat-gateway");
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.keep_alive(false);
  response.body() = message;
  response.prepare_payload();
  error_code ec;
  co_await http::async_write(stream, response, on_error(ec));
  // The deadline of the handshake still bounds this write.
}

UpgradeRequest describe(const http::request<http::empty_body>& request) {
  UpgradeRequest described;
  described.target = std::string(request.target());
  described.is_websocket_upgrade = websocket::is_upgrade(request);
  if (auto it = request.find(http::field::origin); it != request.end()) described.origin = std::string(it->value());
  if (auto it = request.find(http::field::sec_websocket_protocol); it != request.end()) {
    described.subprotocols = std::string(it->value());
  }
  return described;
}

// The HTTP upgrade request, read within the handshake deadline; nullopt when
// it did not come (the failure is counted).
template <class Stream>
awaitable<std::optional<http::request<http::empty_body>>> read_request(GatewayState& state, Stream& stream) {
  beast::flat_buffer buffer;
  http::request_parser<http::empty_body> parser;
  parser.header_limit(kRequestHeaderLimit);
  error_code ec;
  co_await http::async_read(stream, buffer, parser, on_error(ec));
  if (ec) {
    state.metrics().handshake_failed(ec == beast::error::timeout ? "timeout" : "http");
    co_return std::nullopt;
  }
  co_return parser.release();
}

// ws://: the bare socket. wss://: TLS needs its stream as it is, so its
// deadline is switched off instead.
tcp_socket without_deadline(tcp_stream&& stream) { return stream.release_socket(); }
beast::ssl_stream<tcp_stream> without_deadline(beast::ssl_stream<tcp_stream>&& stream) {
  beast::get_lowest_layer(stream).expires_never();
  return std::move(stream);
}

template <class Stream>
awaitable<void> serve_upgrade(GatewayState& state, ConnectionSlot slot, Stream stream, tcp::endpoint broker) {
  // clang-tidy 14 reads a coroutine's body as if this co_await were sequenced
  // with the std::move(slot) at the end (a false positive: `slot` is moved
  // once, below, and never read after); checked by hand and by the ASan suites.
  // NOLINTNEXTLINE(bugprone-use-after-move)
  auto request = co_await read_request(state, stream);
  if (!request) co_return;
  const unsigned version = request->version();
  if (state.draining()) {
    co_await refuse(state, stream, version, http::status::service_unavailable, "draining",
                    "the gateway is shutting down; connect again\n");
    co_return;
  }
  const UpgradeVerdict verdict = evaluate_upgrade(describe(*request), state.allowed_origins());
  if (!verdict.accepted()) {
    co_await refuse(state, stream, version, static_cast<http::status>(verdict.status), verdict.reason, verdict.message);
    co_return;
  }

  tcp_stream broker_stream(co_await asio::this_coro::executor);
  broker_stream.expires_after(std::chrono::milliseconds(state.config().broker_connect_timeout_ms));
  error_code ec;
  co_await broker_stream.async_connect(broker, on_error(ec));
  if (ec) {
    state.log().warn("broker unreachable", {{"error", ec.message()}});
    co_await refuse(state, stream, version, http::status::bad_gateway, "broker_unreachable",
                    "the MQTT broker cannot be reached; try again later\n");
    co_return;
  }
  // MQTT packets are small and latency matters more than packing them.
  broker_stream.socket().set_option(tcp::no_delay(true), ec);
  beast::get_lowest_layer(stream).socket().set_option(tcp::no_delay(true), ec);

  // From here the WebSocket's own timers bound the client (handshake and
  // idle), and the broker connection has none: both leave the handshake's
  // deadline behind.
  auto client = without_deadline(std::move(stream));
  using Pipe = WebSocketPipe<decltype(client)>;
  auto pipe = std::make_shared<Pipe>(state, std::move(slot), std::move(client), broker_stream.release_socket());
  co_await Pipe::run(pipe, std::move(*request), verdict.subprotocol);
}

// At the cap: a 503 without reading the request, then the socket is closed.
// The write is bounded by a short deadline so a flood cannot pile them up.
awaitable<void> refuse_over_cap(GatewayState& state, tcp_socket socket, bool tls) {
  state.metrics().refused("cap");
  if (tls) co_return;  // no TLS handshake is spent on a connection that is refused anyway
  tcp_stream stream(std::move(socket));
  stream.expires_after(std::chrono::seconds(1));
  static const std::string kResponse =
      "HTTP/1.1 503 Service Unavailable\r\nServer: chat-gateway\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Connection: close\r\nContent-Length: 49\r\n\r\ntoo many connections to the gateway; retry later\n";
  error_code ec;
  co_await asio::async_write(stream, asio::buffer(kResponse), on_error(ec));
  stream.socket().shutdown(tcp_socket::shutdown_send, ec);
}

}  // namespace

awaitable<void> serve_client(GatewayState& state, tcp_socket socket, asio::ssl::context* tls, tcp::endpoint broker) {
  state.metrics().connections_accepted.inc();
  ConnectionSlot slot = state.try_admit();
  if (!slot) {
    co_await refuse_over_cap(state, std::move(socket), tls != nullptr);
    co_return;
  }
  tcp_stream stream(std::move(socket));
  // One deadline for the whole handshake: TLS, the HTTP request, the broker connection.
  stream.expires_after(std::chrono::milliseconds(state.config().handshake_timeout_ms));
  if (tls == nullptr) {
    co_await serve_upgrade(state, std::move(slot), std::move(stream), broker);
    co_return;
  }
  beast::ssl_stream<tcp_stream> tls_stream(std::move(stream), *tls);
  error_code ec;
  co_await tls_stream.async_handshake(asio::ssl::stream_base::server, on_error(ec));
  if (ec) {
    state.metrics().handshake_failed(ec == beast::error::timeout ? "timeout" : "tls");
    co_return;
  }
  co_await serve_upgrade(state, std::move(slot), std::move(tls_stream), broker);
}

}  // namespace chat::gateway
