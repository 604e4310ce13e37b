#pragma once
// One browser's WebSocket piped to its own TCP connection to the broker.
//
// A byte pipe: the bytes of binary WebSocket messages go to the broker as they are, and
// whatever one read from the broker returns goes to the client as one binary
// message, so MQTT packets may be split across messages or share one, both
// ways, and nothing here parses MQTT. Each direction is one coroutine that
// awaits its write before it reads again: a slow reader on one side stops the
// gateway reading from the other (TCP flow control does the rest), and
// nothing is buffered beyond one 16 KiB read each way.
//
// Only the broker-to-client coroutine writes to (and closes) the WebSocket;
// the other one ends by closing the broker socket, which ends the writer in
// turn. A close on either side thus closes the other.
#include "net.hpp"
#include "state.hpp"

#include <array>
#include <memory>
#include <string>

namespace chat::gateway {

// Stream: tcp_socket (ws://) or beast::ssl_stream<tcp_stream> (wss://). The
// handshake's deadline is over by now: a plain socket under ws:// spares every
// read and write beast::basic_stream's deadline bookkeeping; the WebSocket's
// own timers (below) take over.
template <class Stream>
class WebSocketPipe final : public Drainable, public std::enable_shared_from_this<WebSocketPipe<Stream>> {
 public:
  WebSocketPipe(GatewayState& state, ConnectionSlot slot, Stream client, tcp_socket broker)
      : state_(state), slot_(std::move(slot)), ws_(std::move(client)), broker_(std::move(broker)) {
    state_.add_pipe(this);
  }
  ~WebSocketPipe() { state_.remove_pipe(this); }
  WebSocketPipe(const WebSocketPipe&) = delete;
  WebSocketPipe& operator=(const WebSocketPipe&) = delete;

  // Answers the upgrade with `subprotocol`, then pipes until either side closes.
  static awaitable<void> run(std::shared_ptr<WebSocketPipe> self, http::request<http::empty_body> request,
                             std::string subprotocol) {
    // clang-tidy 14 takes the await_ready/suspend/resume calls that clang
    // synthesizes around a co_await operand for later evaluations of it (a
    // false positive: both are moved once and never read after).
    // NOLINTNEXTLINE(bugprone-use-after-move)
    co_await self->accept(std::move(request), std::move(subprotocol));
    if (!self->ws_.is_open()) co_return;
    self->state_.metrics().upgrades.inc();
    asio::co_spawn(self->ws_.get_executor(), client_to_broker(self), asio::detached);
    co_await broker_to_client(self);
  }

  void drain() override {
    end("drain", websocket::close_code::going_away);
    close_broker();
  }

 private:
  static constexpr std::size_t kReadBytes = 16 * 1024;  // one read, either way

  awaitable<void> accept(http::request<http::empty_body> request, std::string subprotocol) {
    const Config& config = state_.config();
    // The WebSocket's own timers from here on: the handshake (and a closing
    // handshake) within handshake_timeout_ms, a ping when the client has been
    // silent for half the idle timeout, a close when it stays silent.
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = std::chrono::milliseconds(config.handshake_timeout_ms);
    timeouts.idle_timeout = std::chrono::seconds(config.idle_timeout_s);
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::response_type& response) {
      response.set(http::field::sec_websocket_protocol, subprotocol);
      response.set(http::field::server, "chat-gateway");
    }));
    ws_.read_message_max(0);  // no limit in Beast: client_to_broker counts, see there
    ws_.binary(true);
    ws_.auto_fragment(false);
    error_code ec;
    co_await ws_.async_accept(request, on_error(ec));
    if (ec) {
      state_.metrics().handshake_failed("websocket");
      close_broker();
    }
  }

  // Reads what the client sends as it comes, 16 KiB at most at a time, and
  // writes each piece to the broker before reading on: a WebSocket message
  // is never held whole, and its size is counted here rather than by Beast's
  // read_message_max, whose failure path (Boost 1.74) closes the socket with
  // the rest of the message unread, so the client gets a reset instead of
  // the 1009 close. Closing from broker_to_client reads the rest and the
  // client's close reply first.
  static awaitable<void> client_to_broker(std::shared_ptr<WebSocketPipe> self) {
    std::array<char, kReadBytes> chunk;
    const auto max_message = static_cast<std::size_t>(self->state_.config().max_message_bytes);
    std::size_t message_size = 0;
    error_code ec;
    for (;;) {
      const std::size_t size = co_await self->ws_.async_read_some(asio::buffer(chunk), on_error(ec));
      if (ec) {
        self->end_after_client_error(ec);
        break;
      }
      if (!self->ws_.got_binary()) {
        self->end("not_binary", websocket::close_code::unknown_data);  // MQTT over WebSocket is binary only
        break;
      }
      message_size += size;
      if (message_size > max_message) {
        self->end("too_big", websocket::close_code::too_big);
        break;
      }
      co_await asio::async_write(self->broker_, asio::buffer(chunk.data(), size), on_error(ec));
      if (ec) {
        self->end("broker_error", websocket::close_code::going_away);
        break;
      }
      self->state_.metrics().bytes_to_broker.inc(size);
      if (self->ws_.is_message_done()) {
        self->state_.metrics().messages_to_broker.inc();
        message_size = 0;
      }
    }
    self->close_broker();
  }

  static awaitable<void> broker_to_client(std::shared_ptr<WebSocketPipe> self) {
    std::array<char, kReadBytes> chunk;
    error_code ec;
    for (;;) {
      const std::size_t size = co_await self->broker_.async_read_some(asio::buffer(chunk), on_error(ec));
      if (ec) {
        // EOF: the broker closed (a refused CONNECT, a DISCONNECT, a kick);
        // operation_aborted: the other coroutine or a drain closed the socket.
        self->end("broker_closed", websocket::close_code::normal);
        break;
      }
      co_await self->ws_.async_write(asio::buffer(chunk.data(), size), on_error(ec));
      if (ec) {
        self->end_after_client_error(ec);
        break;
      }
      self->state_.metrics().messages_to_clients.inc();
      self->state_.metrics().bytes_to_clients.inc(size);
    }
    self->close_broker();
    if (self->ws_.is_open()) co_await self->ws_.async_close(self->close_code_, on_error(ec));
    self->state_.metrics().closed(self->end_reason_);
  }

  void end_after_client_error(const error_code& ec) {
    if (ec == websocket::error::closed) {
      end("client_closed", websocket::close_code::normal);
    } else if (ec == beast::error::timeout) {
      end("idle", websocket::close_code::going_away);
    } else if (ec == asio::error::eof || ec == asio::error::connection_reset) {
      end("client_gone", websocket::close_code::going_away);  // gone without a closing handshake
    } else {
      end("client_error", websocket::close_code::going_away);
    }
  }

  // The first reason wins: it is what ended the pipe.
  void end(const char* reason, websocket::close_code code) {
    if (!end_reason_.empty()) return;
    end_reason_ = reason;
    close_code_ = code;
  }

  void close_broker() {
    error_code ignored;
    broker_.shutdown(tcp_socket::shutdown_both, ignored);
    broker_.close(ignored);
  }

  GatewayState& state_;
  ConnectionSlot slot_;
  // deflateSupported = false: permessage-deflate is never offered back (MQTT
  // payloads are small and often already compact, and inflating costs CPU per
  // message), so its code is left out of the stream altogether.
  websocket::stream<Stream, false> ws_;
  tcp_socket broker_;
  std::string end_reason_;
  websocket::close_code close_code_ = websocket::close_code::normal;
};

}  // namespace chat::gateway
