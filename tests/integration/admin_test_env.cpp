#include "admin_test_env.hpp"

#include "chat/testing/migrated_cluster.hpp"

#include <atomic>
#include <csignal>
#include <stdexcept>

namespace chat::admin::testing {
namespace {

chat::testing::MigratedCluster* const environment = [] {
  // cpp-httplib's client writes without MSG_NOSIGNAL: a server that closes
  // a connection early (it does, on purpose, for refused uploads) must not
  // kill the test binary.
  std::signal(SIGPIPE, SIG_IGN);
  return chat::testing::MigratedCluster::install("admin");
}();

struct Suite {
  std::string database;
  std::unique_ptr<chat::testing::TempDir> dir;
  std::unique_ptr<AdminProcess> server;
  std::unique_ptr<storage::Store> store;
};
Suite* suite = nullptr;

Suite& current() {
  if (suite == nullptr) throw std::logic_error("start_suite() was not called");
  return *suite;
}

std::atomic<int> counter{0};

}  // namespace

// ---- Reply ---------------------------------------------------------------------

std::string Reply::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string Reply::error_code() const {
  if (!data.is_object() || !data.contains("error")) return {};
  return data["error"].value("code", std::string());
}

std::string Reply::error_field() const {
  if (!data.is_object() || !data.contains("error")) return {};
  return data["error"].value("field", std::string());
}

// ---- AdminProcess ------------------------------------------------------------------

AdminProcess::AdminProcess(const std::string& conninfo, const std::filesystem::path& dir,
                           std::vector<std::string> extra_args)
    : port_(chat::testing::free_loopback_port()),
      log_path_(dir / "chat-admin.log"),
      media_dir_(dir / "media"),
      token_file_(dir / "admin_token") {
  chat::testing::write_file(token_file_, kAdminToken + "\n");
  chat::testing::write_file(dir / "jwt_secret", kTokenSecret + "\n");
  std::vector<std::string> args{CHAT_ADMIN_PATH, "--database-url", conninfo, "--port", std::to_string(port_),
                                "--admin-token-file", token_file_.string(), "--token-secret-file",
                                (dir / "jwt_secret").string(), "--media-dir", media_dir_.string(),
                                // Cheap hashes: the scheme is the same, tests stay fast.
                                "--password-iterations", "1000", "--log-requests", "false"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<chat::testing::ChildProcess>(args, log_path_.string());
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(1s);
  const bool up = chat::testing::wait_until(
      [&] {
        const auto result = client.Get("/healthz");
        return result && result->status == 200;
      },
      20s, 50ms);
  if (!up) throw std::runtime_error("chat-admin did not become healthy:\n" + log());
}

AdminProcess::~AdminProcess() = default;

std::string AdminProcess::log() const { return chat::testing::read_file(log_path_); }

// ---- AdminTest ---------------------------------------------------------------------------

void AdminTest::start_suite(std::vector<std::string> extra_args) {
  auto created = std::make_unique<Suite>();
  created->database = environment->new_migrated_database();
  created->dir = std::make_unique<chat::testing::TempDir>("chat-admin-test");
  created->server = std::make_unique<AdminProcess>(environment->cluster().conninfo(created->database),
                                                   created->dir->path(), std::move(extra_args));
  created->store = std::make_unique<storage::Store>(environment->cluster().conninfo(created->database));
  suite = created.release();
}

void AdminTest::stop_suite() {
  delete suite;
  suite = nullptr;
}

chat::testing::PostgresCluster& AdminTest::cluster() { return environment->cluster(); }
AdminProcess& AdminTest::server() { return *current().server; }
const std::string& AdminTest::database() { return current().database; }
std::string AdminTest::conninfo() { return cluster().conninfo(database()); }
storage::Store& AdminTest::store() { return *current().store; }
std::string AdminTest::psql(const std::string& sql) { return cluster().psql(database(), sql); }

std::string AdminTest::unique(const std::string& prefix) { return prefix + std::to_string(++counter); }

Reply AdminTest::raw(const std::string& method, const std::string& path, const std::string& body,
                     const httplib::Headers& headers, const std::string& content_type) {
  httplib::Client client("127.0.0.1", server().port());
  client.set_connection_timeout(2s);
  client.set_read_timeout(10s);
  client.set_write_timeout(10s);
  httplib::Result result = [&] {
    if (method == "GET") return client.Get(path, headers);
    if (method == "HEAD") return client.Head(path, headers);
    if (method == "POST") return client.Post(path, headers, body, content_type);
    if (method == "PUT") return client.Put(path, headers, body, content_type);
    if (method == "PATCH") return client.Patch(path, headers, body, content_type);
    if (method == "DELETE") return client.Delete(path, headers, body, content_type);
    throw std::invalid_argument("method " + method);
  }();
  Reply reply;
  if (!result) return reply;
  reply.status = result->status;
  reply.body = result->body;
  reply.headers = result->headers;
  reply.data = json::parse(result->body, nullptr, /*allow_exceptions=*/false);
  if (reply.data.is_discarded()) reply.data = nullptr;
  return reply;
}

Reply AdminTest::call(const std::string& method, const std::string& path, const std::optional<json>& body,
                      std::optional<std::string> authorization, const httplib::Headers& extra_headers) {
  httplib::Headers headers = extra_headers;
  if (authorization) headers.emplace("Authorization", *authorization);
  return raw(method, path, body ? body->dump() : std::string(), headers);
}

json AdminTest::create_user(const std::string& username, const json& extra) {
  json body = extra;
  body["username"] = username;
  const Reply reply = post("/v1/admin/users", body);
  if (reply.status != 201) throw std::runtime_error("create_user " + username + ": " + reply.body);
  return reply.data;
}

std::string AdminTest::token_for(std::int64_t uid) {
  const Reply reply = post("/v1/admin/users/" + std::to_string(uid) + "/tokens", json::object());
  if (reply.status != 201) throw std::runtime_error("token_for: " + reply.body);
  return reply.data["token"].get<std::string>();
}

json AdminTest::create_group(std::int64_t owner, const std::vector<std::int64_t>& members, const std::string& title) {
  const Reply reply = post("/v1/admin/chats", {{"title", title}, {"owner", owner}, {"members", members}});
  if (reply.status != 201) throw std::runtime_error("create_group: " + reply.body);
  return reply.data;
}

std::vector<std::int64_t> AdminTest::send(std::int64_t chat, std::int64_t from, const std::vector<std::string>& bodies,
                                          const std::string& type) {
  std::vector<storage::NewMessage> batch;
  for (const std::string& body : bodies) {
    storage::NewMessage message;
    message.chat_id = chat;
    message.sender_id = from;
    message.client_msg_id = unique("c");
    message.type = *storage::parse_message_type(type);
    message.body = body;
    batch.push_back(message);
  }
  std::vector<std::int64_t> seqs;
  for (const auto& result : store().messages().append_messages(batch)) {
    if (!result.accepted())
      throw std::runtime_error("send: refused (" + std::string(storage::to_string(result.status)) + ")");
    seqs.push_back(result.seq);
  }
  return seqs;
}

}  // namespace chat::admin::testing
