#include "admin_http.hpp"

#include <chrono>
#include <string>

namespace chat::gateway {

awaitable<void> serve_admin(GatewayState& state, tcp_socket socket) {
  tcp_stream stream(std::move(socket));
  stream.expires_after(std::chrono::milliseconds(state.config().handshake_timeout_ms));
  beast::flat_buffer buffer;
  http::request_parser<http::empty_body> parser;
  parser.header_limit(8 * 1024);
  error_code ec;
  co_await http::async_read(stream, buffer, parser, on_error(ec));
  if (ec) co_return;
  const auto& request = parser.get();

  http::response<http::string_body> response{http::status::ok, request.version()};
  response.set(http::field::server, "chat-gateway");
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.keep_alive(false);
  const std::string target(request.target());
  const std::string path = target.substr(0, target.find('?'));
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    response.result(http::status::method_not_allowed);
    response.body() = "GET only\n";
  } else if (path == "/healthz") {
    // Healthy while it takes connections; a drain answers 503 so a balancer stops sending.
    if (state.draining()) {
      response.result(http::status::service_unavailable);
      response.body() = "draining\n";
    } else {
      response.body() = "ok\n";
    }
  } else if (path == "/metrics") {
    response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    response.body() = state.metrics().render();
  } else {
    response.result(http::status::not_found);
    response.body() = "not found: /healthz, /metrics\n";
  }
  response.prepare_payload();
  co_await http::async_write(stream, response, on_error(ec));
  stream.socket().shutdown(tcp_socket::shutdown_send, ec);
}

}  // namespace chat::gateway
