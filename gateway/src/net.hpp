#pragma once
// The Boost.Asio and Boost.Beast names the gateway uses, in one place.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>

namespace chat::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = beast::error_code;

// One io_context thread runs the whole gateway, so every socket, timer and
// coroutine names that io_context's executor type rather than the
// type-erased asio::any_io_executor: the erasure costs a copy, a `prefer` and
// a destruction of a polymorphic executor on every operation, which the
// profile showed on the per-message path (docs/gateway.md, "Design").
using executor = asio::io_context::executor_type;
using tcp_socket = asio::basic_stream_socket<tcp, executor>;
using tcp_acceptor = asio::basic_socket_acceptor<tcp, executor>;
using tcp_stream = beast::basic_stream<tcp, executor>;  // a socket with a deadline: handshakes, probes
using steady_timer =
    asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>, executor>;
template <class T = void>
using awaitable = asio::awaitable<T, executor>;
inline constexpr asio::use_awaitable_t<executor> use_awaitable{};

// co_await op(..., on_error(ec)): errors land in ec instead of being thrown,
// so ordinary ends of a connection (EOF, a timeout, a close) are plain values.
inline auto on_error(error_code& ec) { return asio::redirect_error(use_awaitable, ec); }

}  // namespace chat::gateway
