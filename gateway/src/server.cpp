#include "server.hpp"

#include "admin_http.hpp"
#include "client_connection.hpp"
#include "net.hpp"
#include "state.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <list>
#include <stdexcept>

namespace chat::gateway {
namespace {

// Admin requests open at once; more wait in the listen backlog.
constexpr int kMaxAdminConnections = 16;

tcp::endpoint endpoint_of(const std::string& address, int port, const char* what) {
  error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error(std::string(what) + ": \"" + address + "\" is not an IP address");
  return {ip, static_cast<unsigned short>(port)};
}

tcp_acceptor listen_on(asio::io_context& io, const tcp::endpoint& endpoint, const char* what) {
  tcp_acceptor acceptor(io);
  error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error(std::string("cannot listen for ") + what + " on " + endpoint.address().to_string() + ":" +
                             std::to_string(endpoint.port()) + ": " + ec.message());
  }
  return acceptor;
}

// A pause after accept fails for lack of file descriptors, so the loop does not spin.
awaitable<void> pause_after(const error_code& ec, observability::Logger& log) {
  log.warn("accept failed", {{"error", ec.message()}});
  steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(100));
  error_code ignored;
  co_await timer.async_wait(on_error(ignored));
}

awaitable<void> accept_clients(GatewayState& state, tcp_acceptor& acceptor, asio::ssl::context* tls,
                               tcp::endpoint broker) {
  for (;;) {
    error_code ec;
    tcp_socket socket = co_await acceptor.async_accept(on_error(ec));
    if (!acceptor.is_open()) co_return;  // the drain closed it
    if (ec) {
      co_await pause_after(ec, state.log());
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), serve_client(state, std::move(socket), tls, broker), asio::detached);
  }
}

awaitable<void> accept_admin(GatewayState& state, tcp_acceptor& acceptor, std::shared_ptr<int> open) {
  for (;;) {
    error_code ec;
    tcp_socket socket = co_await acceptor.async_accept(on_error(ec));
    if (!acceptor.is_open()) co_return;
    if (ec) {
      co_await pause_after(ec, state.log());
      continue;
    }
    if (*open >= kMaxAdminConnections) continue;  // the socket closes here
    ++*open;
    asio::co_spawn(acceptor.get_executor(), serve_admin(state, std::move(socket)),
                   [open](const std::exception_ptr&) { --*open; });
  }
}

asio::ssl::context make_tls_context(const Config& config) {
  asio::ssl::context tls(asio::ssl::context::tls_server);
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                  asio::ssl::context::single_dh_use);
  error_code ec;
  tls.use_certificate_chain_file(config.tls_cert_file, ec);
  if (ec) throw std::runtime_error("tls_cert_file " + config.tls_cert_file + ": " + ec.message());
  tls.use_private_key_file(config.tls_key_file, asio::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("tls_key_file " + config.tls_key_file + ": " + ec.message());
  return tls;
}

}  // namespace

int run_gateway(const Config& config, observability::Logger& log) {
  asio::io_context io(1);
  GatewayState state(config, log);
  const tcp::endpoint broker = endpoint_of(config.broker_host, config.broker_port, "broker_host");

  std::optional<asio::ssl::context> tls;
  if (config.tls_enabled()) tls.emplace(make_tls_context(config));

  // std::list: the accept loops hold references to their acceptors.
  std::list<tcp_acceptor> client_acceptors;
  if (config.ws_port != 0) {
    auto& acceptor =
        client_acceptors.emplace_back(listen_on(io, endpoint_of(config.ws_bind, config.ws_port, "ws_bind"), "ws://"));
    asio::co_spawn(io, accept_clients(state, acceptor, nullptr, broker), asio::detached);
    log.info("listening", {{"url", "ws://" + config.ws_bind + ":" + std::to_string(config.ws_port) + "/mqtt"}});
  }
  if (config.tls_enabled()) {
    auto& acceptor =
        client_acceptors.emplace_back(listen_on(io, endpoint_of(config.ws_bind, config.wss_port, "ws_bind"), "wss://"));
    asio::co_spawn(io, accept_clients(state, acceptor, &*tls, broker), asio::detached);
    log.info("listening", {{"url", "wss://" + config.ws_bind + ":" + std::to_string(config.wss_port) + "/mqtt"}});
  }
  std::optional<tcp_acceptor> admin;
  if (config.http_port != 0) {
    admin.emplace(listen_on(io, endpoint_of(config.http_bind, config.http_port, "http_bind"), "/healthz"));
    asio::co_spawn(io, accept_admin(state, *admin, std::make_shared<int>(0)), asio::detached);
    log.info("listening",
             {{"url", "http://" + config.http_bind + ":" + std::to_string(config.http_port) + "/healthz"}});
  }
  log.info("piping to the broker", {{"broker", broker.address().to_string() + ":" + std::to_string(broker.port())}});

  // SIGTERM: stop taking connections, close every pipe with 1001 Going Away
  // (its broker connection first), wait for the closing handshakes up to
  // drain_timeout_ms, exit.
  asio::signal_set signals(io, SIGTERM, SIGINT);
  steady_timer drain_deadline(io);
  signals.async_wait([&](const error_code& ec, int signal_number) {
    if (ec) return;
    log.info("draining", {{"signal", signal_number}, {"open_connections", state.open_connections()}});
    error_code ignored;
    for (auto& acceptor : client_acceptors) acceptor.close(ignored);
    drain_deadline.expires_after(std::chrono::milliseconds(config.drain_timeout_ms));
    drain_deadline.async_wait([&](const error_code& timer_ec) {
      if (timer_ec) return;
      log.warn("drain timeout: closing what is left", {{"open_connections", state.open_connections()}});
      io.stop();
    });
    state.begin_drain([&] {
      log.info("drained");
      io.stop();
    });
  });

  io.run();
  return 0;
}

}  // namespace chat::gateway
