#pragma once
// Shared by the admin integration suites: one PostgreSQL cluster per test
// binary with a migrated template; per test suite a fresh database and the
// real chat-admin binary (CHAT_ADMIN_PATH) as a child process on a free
// loopback port, talked to with cpp-httplib's client.
#include "chat/storage/store.hpp"
#include "chat/testing/environment.hpp"
#include "chat/testing/postgres_cluster.hpp"
#include "chat/testing/process.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chat::admin::testing {

using json = nlohmann::json;
using namespace std::chrono_literals;

inline const std::string kAdminToken = "test-admin-token-0123456789";
inline const std::string kTokenSecret = "admin-test-token-secret-0123456789abcdef0123456789abcdef";

// An HTTP answer. (The NOLINT: clang-tidy 14 follows the implicit move
// constructor into nlohmann::json's own noexcept one and reports any struct
// with a json member whose move is used; a false positive.)
struct Reply {     // NOLINT(bugprone-exception-escape)
  int status = 0;  // 0: no answer (connection failed)
  std::string body;
  httplib::Headers headers;
  json data;  // the body parsed, or null

  std::string header(const std::string& name) const;
  // The error code of a JSON error, "" otherwise.
  std::string error_code() const;
  std::string error_field() const;
};

// A running chat-admin.
class AdminProcess {
 public:
  AdminProcess(const std::string& conninfo, const std::filesystem::path& dir, std::vector<std::string> extra_args);
  ~AdminProcess();

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& media_dir() const { return media_dir_; }
  const std::filesystem::path& admin_token_file() const { return token_file_; }
  std::string log() const;

 private:
  std::uint16_t port_ = 0;
  std::filesystem::path log_path_;
  std::filesystem::path media_dir_;
  std::filesystem::path token_file_;
  std::unique_ptr<chat::testing::ChildProcess> process_;
};

// One database and one chat-admin per test suite (SetUpTestSuite), so that a
// suite's tests share a server; names are made unique with unique().
class AdminTest : public ::testing::Test {
 protected:
  static void start_suite(std::vector<std::string> extra_args = {});
  static void stop_suite();
  static void TearDownTestSuite() { stop_suite(); }

  static chat::testing::PostgresCluster& cluster();
  static AdminProcess& server();
  static const std::string& database();
  static std::string conninfo();
  // The suite's database through the data layer, as the bridge writes it.
  static storage::Store& store();
  static std::string psql(const std::string& sql);

  // "<prefix><n>", unique in the test binary (lowercase, a valid username).
  static std::string unique(const std::string& prefix);

  // Requests with the admin token (or the given Authorization header).
  static Reply call(const std::string& method, const std::string& path, const std::optional<json>& body = std::nullopt,
                    std::optional<std::string> authorization = "Bearer " + kAdminToken,
                    const httplib::Headers& extra_headers = {});
  static Reply get(const std::string& path) { return call("GET", path); }
  static Reply post(const std::string& path, const json& body) { return call("POST", path, body); }
  static Reply raw(const std::string& method, const std::string& path, const std::string& body,
                   const httplib::Headers& headers, const std::string& content_type = "application/json");

  // Creates a user through the API (asserting 201) and returns its record.
  static json create_user(const std::string& username, const json& extra = json::object());
  // A sign-in token through the API.
  static std::string token_for(std::int64_t uid);
  // A group through the API.
  static json create_group(std::int64_t owner, const std::vector<std::int64_t>& members,
                           const std::string& title = "group");
  // Stores messages as the bridge does (Store::append_messages); returns their seqs.
  static std::vector<std::int64_t> send(std::int64_t chat, std::int64_t from, const std::vector<std::string>& bodies,
                                        const std::string& type = "text");
};

}  // namespace chat::admin::testing
