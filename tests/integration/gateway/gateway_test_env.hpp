#pragma once
// The gateway's integration tests: one PostgreSQL cluster with a migrated
// database and one mosquitto with broker-config/ and the auth plugin per test
// binary; per test, a chat-gateway child process on free loopback ports with
// the settings the test needs, piping to that broker.
#include "chat/storage/store.hpp"
#include "chat/testing/mosquitto_broker.hpp"
#include "chat/testing/postgres_cluster.hpp"
#include "chat/testing/process.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace chat::gateway::testing {

using namespace std::chrono_literals;

// A user of the test database and the sign-in tokens of its devices.
struct TestUser {
  storage::UserId id = 0;
  std::string name;
  std::string uid() const { return std::to_string(id); }
  std::string client_id(const std::string& device) const { return uid() + ":" + device; }
  std::string token() const;
};

class GatewayEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;

  chat::testing::MosquittoBroker& broker() { return *broker_; }
  TestUser make_user();

 private:
  std::unique_ptr<chat::testing::PostgresCluster> cluster_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<chat::testing::MosquittoBroker> broker_;
};

GatewayEnvironment& environment();

// A running chat-gateway piping to environment().broker(). `settings` are
// config-file keys that replace the defaults of the tests (the ports are
// always free ones; wss:// uses the broker fixture's certificate).
class GatewayProcess {
 public:
  explicit GatewayProcess(const std::map<std::string, std::string>& settings = {});
  ~GatewayProcess();
  GatewayProcess(const GatewayProcess&) = delete;
  GatewayProcess& operator=(const GatewayProcess&) = delete;

  std::uint16_t ws_port() const { return ws_port_; }
  std::uint16_t wss_port() const { return wss_port_; }
  std::string ws_url(const std::string& path = "/mqtt") const;
  std::string wss_url(const std::string& path = "/mqtt") const;
  std::filesystem::path ca_file() const;

  // GET on its /healthz + /metrics port: (status, body); status 0 when it did not answer.
  std::pair<int, std::string> get(const std::string& path) const;
  // A series' value from /metrics (e.g. `chat_gateway_refusals_total{reason="origin"}`); -1 when absent.
  double metric(const std::string& series) const;
  bool wait_metric(const std::string& series, double value, std::chrono::milliseconds timeout = 10s) const;
  std::string log() const;

  void signal(int signo) { process_.signal(signo); }
  bool running() { return process_.running(); }
  // Waits for the exit; the status as waitpid gives it (SIGKILL after `grace`).
  int wait_exit(std::chrono::milliseconds timeout) { return process_.wait_exit(timeout); }

 private:
  chat::testing::TempDir dir_;
  std::uint16_t ws_port_ = 0;
  std::uint16_t wss_port_ = 0;
  std::uint16_t http_port_ = 0;
  chat::testing::ChildProcess process_;
};

}  // namespace chat::gateway::testing
