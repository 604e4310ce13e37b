#include "hostile_stack.hpp"

#include "chat/credentials/password.hpp"
#include "chat/credentials/token.hpp"
#include "chat/testing/environment.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <stdexcept>

namespace chat::hostile {
namespace {

const std::string kDatabase = "hostile";
const std::string kServiceUser = "svc-bridge";
const std::string kServicePassword = "hostile suite service password";

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class StackEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { stack = std::make_unique<HostileStack>(); }
  void TearDown() override { stack.reset(); }
  std::unique_ptr<HostileStack> stack;
};

StackEnvironment* const environment = [] {
  auto* env = new StackEnvironment;
  ::testing::AddGlobalTestEnvironment(env);
  return env;
}();

}  // namespace

HostileStack& HostileStack::get() {
  if (!environment->stack) throw std::logic_error("the hostile stack is not up");
  return *environment->stack;
}

const std::string& HostileStack::secret() {
  static const std::string value = "hostile-suite-secret-0123456789abcdef0123456789";
  return value;
}

HostileStack::HostileStack() {
  cluster_ = std::make_unique<testing::PostgresCluster>();
  cluster_->create_database(kDatabase);
  store_ = std::make_unique<storage::Store>(cluster_->conninfo(kDatabase));
  store_->migrate();

  const auto make = [&](const std::string& name) { return add_user(name); };
  mallory = make("mallory");
  alice = make("alice");
  sink = make("sink");
  for (std::size_t i = 1; i <= kBystanders; ++i) bystanders.push_back(make("bystander" + std::to_string(i)));
  const std::vector<storage::UserId> both{mallory.id};
  open_group = store_->chats().create_group(alice.id, "open", both).id;
  closed_group = store_->chats().create_group(alice.id, "closed", {}).id;

  testing::MosquittoOptions options;
  testing::AuthPluginSettings plugin;
  plugin.db_conninfo = cluster_->conninfo(kDatabase);
  plugin.jwt_secret = secret();
  plugin.service_username = kServiceUser;
  plugin.service_password_hash = credentials::hash_password(kServicePassword, 1000);  // the real scheme, cheap
  options.auth_plugin = plugin;  // every other plugin option at its default
  broker_ = std::make_unique<testing::MosquittoBroker>(options);

  const std::uint16_t http_port = testing::free_loopback_port();
  bridge_log_path_ = broker_->dir() / "bridge.log";
  bridge_ = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{CHAT_BRIDGE_PATH, "--database-url", cluster_->conninfo(kDatabase), "--mqtt-uri",
                               broker_->uri(), "--mqtt-client-id", "bridge", "--http-port", std::to_string(http_port),
                               "--mqtt-username", kServiceUser, "--mqtt-password", kServicePassword},
      bridge_log_path_.string());
  const bool healthy = testing::wait_until(
      [&] {
        httplib::Client client("127.0.0.1", http_port);
        const auto response = client.Get("/healthz");
        return response && response->status == 200;
      },
      std::chrono::seconds(20), std::chrono::milliseconds(50));
  if (!healthy) throw std::runtime_error("the bridge did not become healthy:\n" + bridge_log());
}

HostileStack::~HostileStack() = default;

StackUser HostileStack::add_user(const std::string& name, const std::optional<std::string>& password_hash) {
  storage::NewUser user;
  user.username = name;
  user.display_name = name;
  user.password_hash = password_hash;
  return StackUser{store_->users().create(user).id, name};
}

std::string HostileStack::bridge_log() const { return testing::read_file(bridge_log_path_); }

std::string HostileStack::psql(const std::string& sql) const { return cluster_->psql(kDatabase, sql); }

std::int64_t HostileStack::psql_int(const std::string& sql) const { return std::stoll(psql(sql)); }

std::string HostileStack::token(std::int64_t uid, const std::string& username, std::int64_t not_before_s,
                                std::int64_t expires_s) const {
  return credentials::mint_token(secret(), uid, username, not_before_s, expires_s);
}

std::string HostileStack::token(const StackUser& user) const {
  return token(user.id, user.name, now_s() - 5, now_s() + 3600);
}

testing::RawConnect HostileStack::sign_in(const StackUser& user, const std::string& device, int version) const {
  return testing::RawConnect{
      .client_id = user.client_id(device), .username = user.name, .password = token(user), .version = version};
}

testing::RawConnect HostileStack::service_sign_in(const std::string& client_id) {
  return testing::RawConnect{.client_id = client_id, .username = kServiceUser, .password = kServicePassword};
}

}  // namespace chat::hostile
