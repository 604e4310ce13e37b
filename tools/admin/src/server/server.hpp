#pragma once
// chat-admin's HTTP server: cpp-httplib's thread pool, a pool of database
// sessions (one Store per busy worker), and the plumbing every route shares —
// the admin token check, JSON errors, metrics and the request log.
#include "chat/admin/api_error.hpp"
#include "chat/admin/attempt_throttle.hpp"
#include "chat/admin/config.hpp"
#include "chat/admin/media_store.hpp"
#include "chat/admin/metrics.hpp"
#include "chat/observability/log.hpp"
#include "chat/storage/store.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <initializer_list>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
class ContentReader;
}  // namespace httplib

namespace chat::admin {

// One JSON object per line on stderr (chat::observability, as chat-bridge
// logs). Never given a secret.
using Log = observability::Logger;

// Database sessions for the worker threads: a Store is not thread-safe, so
// each request leases one. Idle sessions are kept (up to the thread count);
// a session whose server went away reconnects by itself on its next call.
class StorePool {
 public:
  explicit StorePool(std::string conninfo) : conninfo_(std::move(conninfo)) {}

  class Lease {
   public:
    Lease(StorePool& pool, std::unique_ptr<storage::Store> store) : pool_(&pool), store_(std::move(store)) {}
    ~Lease();
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    storage::Store& operator*() { return *store_; }
    storage::Store* operator->() { return store_.get(); }

   private:
    StorePool* pool_;
    std::unique_ptr<storage::Store> store_;
  };

  // An idle session, or a new one (throws DbError{connection_lost} when the
  // database cannot be reached).
  Lease acquire();

 private:
  friend class Lease;
  std::string conninfo_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<storage::Store>> idle_;
};

struct Secrets {
  std::string admin_token;
  std::string token_secret;         // HS256 secret of sign-in tokens
  std::string dummy_password_hash;  // verified when a Basic username is unknown (same cost)
};

// What every route handler may use.
struct Context {
  Config config;
  Secrets secrets;
  MediaLimits limits;
  StorePool& pool;
  MediaStore& media;
  Metrics& metrics;
  Log& log;
  AttemptThrottle& passwords_by_address;  // media Basic sign-ins
  AttemptThrottle& passwords_by_user;
};

using Request = httplib::Request;
using Response = httplib::Response;

enum class Access {
  open,   // /healthz, /metrics (loopback; as the bridge's)
  admin,  // the admin token
  user,   // a user's token or password (the handler authenticates: media)
};

// Route registration with the shared plumbing: `label` is the pattern shown
// in metrics ("/v1/admin/users/{id}"), `regex` what httplib matches.
class Routes {
 public:
  using Handler = std::function<void(const Request&, Response&)>;
  using ReaderHandler = std::function<void(const Request&, Response&, const httplib::ContentReader&)>;

  Routes(httplib::Server& server, Context& context) : server_(server), context_(context) {}

  void get(const char* label, const char* regex, Access access, Handler handler);
  void post(const char* label, const char* regex, Access access, Handler handler);
  void put(const char* label, const char* regex, Access access, Handler handler);
  void patch(const char* label, const char* regex, Access access, Handler handler);
  void del(const char* label, const char* regex, Access access, Handler handler);
  void put_streaming(const char* label, const char* regex, Access access, ReaderHandler handler);

 private:
  Handler wrap(const char* label, Access access, Handler handler);

  httplib::Server& server_;
  Context& context_;
};

// ---- answers -------------------------------------------------------------------

void send_json(Response& response, int status, const nlohmann::json& body);
void send_error(Response& response, const ApiError& error);
// Sends the error and closes the connection afterwards: for answers given
// before (all of) a request body was read, whose rest would otherwise be
// parsed as the next request.
void send_error_and_close(Response& response, const ApiError& error);
// Runs `body` and turns what it throws into a JSON error (ApiError, DbError,
// anything else as internal, logged).
void answer(Context& context, Response& response, const std::function<void()>& body);

// The path parameter `index` (1-based) of a regex route.
std::string path_param(const Request& request, std::size_t index);
// A query-string parameter, nullopt when absent.
std::optional<std::string> query_param(const Request& request, const char* name);
// Query-string parameters other than `allowed` are a 400 naming them.
void allow_query(const Request& request, std::initializer_list<std::string_view> allowed);

// The admin token check (401 unless Authorization: Bearer <admin token>).
void require_admin(const Context& context, const Request& request);

// ---- the server ------------------------------------------------------------------

class AdminServer {
 public:
  explicit AdminServer(Context& context);
  ~AdminServer();
  // Binds (throws std::runtime_error when it cannot); returns the port.
  int bind();
  void serve();  // blocks until stop()
  void stop();

 private:
  Context& context_;
  std::unique_ptr<httplib::Server> server_;
};

void register_admin_routes(Routes& routes, Context& context);
void register_media_routes(Routes& routes, Context& context);
void register_user_routes(Routes& routes, Context& context);
// Serves web_dir at /app when it is set (throws when it is not a directory).
void register_web_app(httplib::Server& server, Routes& routes, Context& context);

}  // namespace chat::admin
