#include "http_server.hpp"

#include <httplib.h>

#include <stdexcept>

namespace chat::bridge {

HttpServer::HttpServer(Health& health, Registry& registry, std::function<std::string()> health_detail)
    : health_(health),
      registry_(registry),
      health_detail_(std::move(health_detail)),
      server_(std::make_unique<httplib::Server>()) {
  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& response) {
    response.status = health_.ok() ? 200 : 503;
    response.set_content(health_detail_(), "application/json");
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(registry_.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start(const std::string& bind, int port) {
  if (!server_->bind_to_port(bind, port)) {
    throw std::runtime_error("cannot listen on " + bind + ":" + std::to_string(port));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

void HttpServer::stop() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

}  // namespace chat::bridge
