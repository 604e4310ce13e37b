#include "gateway_test_env.hpp"

#include "chat/testing/http_probe.hpp"

#include "chat/credentials/password.hpp"
#include "chat/credentials/token.hpp"
#include "chat/testing/environment.hpp"

#include <httplib.h>

#include <atomic>
#include <sstream>
#include <stdexcept>

namespace chat::gateway::testing {
namespace {

const std::string kSecret = "gateway-test-secret-0123456789abcdef0123456789";

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

GatewayEnvironment* const global_environment = [] {
  auto* created = new GatewayEnvironment;
  ::testing::AddGlobalTestEnvironment(created);
  return created;
}();

}  // namespace

std::string TestUser::token() const { return credentials::mint_token(kSecret, id, name, now_s() - 5, now_s() + 3600); }

GatewayEnvironment& environment() { return *global_environment; }

void GatewayEnvironment::SetUp() {
  cluster_ = std::make_unique<chat::testing::PostgresCluster>();
  cluster_->create_database("gateway");
  store_ = std::make_unique<storage::Store>(cluster_->conninfo("gateway"));
  store_->migrate();
  chat::testing::AuthPluginSettings plugin;
  plugin.db_conninfo = cluster_->conninfo("gateway");
  plugin.jwt_secret = kSecret;
  plugin.service_password_hash = credentials::hash_password("service password", 1000);
  broker_ = std::make_unique<chat::testing::MosquittoBroker>(chat::testing::MosquittoOptions{.auth_plugin = plugin});
}

void GatewayEnvironment::TearDown() {
  broker_.reset();
  store_.reset();
  cluster_.reset();
}

TestUser GatewayEnvironment::make_user() {
  static std::atomic<int> counter{0};
  TestUser user;
  user.name = "gw_user" + std::to_string(++counter);
  storage::NewUser row;
  row.username = user.name;
  user.id = store_->users().create(row).id;
  return user;
}

GatewayProcess::GatewayProcess(const std::map<std::string, std::string>& settings) : dir_("chat-gateway-test") {
  using chat::testing::free_loopback_port;
  ws_port_ = free_loopback_port();
  do wss_port_ = free_loopback_port();
  while (wss_port_ == ws_port_);
  do http_port_ = free_loopback_port();
  while (http_port_ == ws_port_ || http_port_ == wss_port_);
  auto& broker = environment().broker();
  std::map<std::string, std::string> config = {
      {"ws_port", std::to_string(ws_port_)},
      {"wss_port", std::to_string(wss_port_)},
      {"http_port", std::to_string(http_port_)},
      {"tls_cert_file", (broker.dir() / "tls" / "cert.pem").string()},
      {"tls_key_file", (broker.dir() / "tls" / "key.pem").string()},
      {"broker_port", std::to_string(broker.port())},
      {"allowed_origins", "http://app.test:8080"},
      {"log_level", "debug"},
  };
  for (auto& [key, value] : settings) config[key] = value;
  std::ostringstream text;
  for (const auto& [key, value] : config) text << key << " = " << value << '\n';
  chat::testing::write_file(dir_.path() / "gateway.conf", text.str());
  process_ = chat::testing::ChildProcess({CHAT_GATEWAY_PATH, "--config", (dir_.path() / "gateway.conf").string()},
                                         (dir_.path() / "gateway.log").string());
  const bool healthy =
      chat::testing::wait_until([&] { return get("/healthz").first == 200 || !process_.running(); }, 20s, 20ms);
  if (!healthy || !process_.running()) throw std::runtime_error("chat-gateway did not start:\n" + log());
}

GatewayProcess::~GatewayProcess() { process_.stop(5s); }

std::string GatewayProcess::ws_url(const std::string& path) const {
  return "ws://127.0.0.1:" + std::to_string(ws_port_) + path;
}
std::string GatewayProcess::wss_url(const std::string& path) const {
  return "wss://127.0.0.1:" + std::to_string(wss_port_) + path;
}
std::filesystem::path GatewayProcess::ca_file() const { return environment().broker().tls_ca_file(); }

std::pair<int, std::string> GatewayProcess::get(const std::string& path) const {
  return chat::testing::http_get(http_port_, path);
}

double GatewayProcess::metric(const std::string& series) const {
  const auto [status, body] = get("/metrics");
  return status == 200 ? chat::testing::prometheus_value(body, series) : -1;
}

bool GatewayProcess::wait_metric(const std::string& series, double value, std::chrono::milliseconds timeout) const {
  return chat::testing::wait_until([&] { return metric(series) == value; }, timeout, 20ms);
}

std::string GatewayProcess::log() const { return chat::testing::read_file(dir_.path() / "gateway.log"); }

}  // namespace chat::gateway::testing
