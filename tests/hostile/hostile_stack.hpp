#pragma once
// The real stack the hostile suite attacks, started once for the whole test
// binary (a gtest Environment): PostgreSQL, mosquitto with the project's
// config and the auth plugin at its DEFAULT limits (publish rate, password
// checks: the defences under test), and chat-bridge. Its users:
//
//   mallory     the attacker; signs in with a token
//   alice       a victim: her topics, her session, her groups are the targets
//   sink        receives the bystanders' direct messages
//   bystander1… ordinary users publishing throughout (chat::testing::Bystander)
//
// and two groups: `open` (mallory, alice) and `closed` (alice only).
#include "chat/storage/store.hpp"
#include "chat/testing/mosquitto_broker.hpp"
#include "chat/testing/postgres_cluster.hpp"
#include "chat/testing/process.hpp"
#include "chat/testing/raw_mqtt_client.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chat::hostile {

struct StackUser {
  std::int64_t id = 0;
  std::string name;
  std::string uid() const { return std::to_string(id); }
  std::string client_id(const std::string& device = "phone") const { return uid() + ":" + device; }
};

class HostileStack {
 public:
  static constexpr std::size_t kBystanders = 8;

  HostileStack();
  ~HostileStack();

  // The one stack of this binary.
  static HostileStack& get();

  std::uint16_t port() const { return broker_->port(); }
  std::string psql(const std::string& sql) const;
  std::int64_t psql_int(const std::string& sql) const;
  storage::Store& store() { return *store_; }
  bool bridge_running() { return bridge_->running(); }
  std::string bridge_log() const;

  // A new user (attackers with a full publish and nack budget of their own),
  // with a password when a hash is given (credentials::hash_password).
  StackUser add_user(const std::string& name, const std::optional<std::string>& password_hash = std::nullopt);

  // Tokens signed with the plugin's secret (valid for an hour unless told).
  std::string token(const StackUser& user) const;
  std::string token(std::int64_t uid, const std::string& username, std::int64_t not_before_s,
                    std::int64_t expires_s) const;
  static const std::string& secret();
  // A sign-in of `user` with a valid token.
  testing::RawConnect sign_in(const StackUser& user, const std::string& device = "phone", int version = 5) const;
  // A sign-in as the service account (the bridge's username and password)
  // under another client id.
  static testing::RawConnect service_sign_in(const std::string& client_id);

  StackUser mallory, alice, sink;
  std::vector<StackUser> bystanders;
  std::int64_t open_group = 0;    // mallory and alice
  std::int64_t closed_group = 0;  // alice only

 private:
  std::unique_ptr<testing::PostgresCluster> cluster_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<testing::MosquittoBroker> broker_;
  std::unique_ptr<testing::ChildProcess> bridge_;
  std::filesystem::path bridge_log_path_;
};

}  // namespace chat::hostile
