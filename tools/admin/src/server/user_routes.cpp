// The routes the web app (and any client) uses as a user rather than an
// operator: sign in with a password to get a sign-in token (POST /v1/signin),
// and look up other users' public profiles (GET /v1/users/...), which the
// MQTT contract has no request for. docs/admin-api.md, "For users".
#include "chat/admin/request_json.hpp"
#include "chat/admin/validation.hpp"
#include "chat/credentials/token.hpp"
#include "chat/protocol/identifiers.hpp"
#include "server.hpp"
#include "user_auth.hpp"

#include <httplib.h>

namespace chat::admin {
namespace {

using storage::UserId;

// What one signed-in user may know of another: no phone, no state.
nlohmann::json public_profile(const storage::UserAccount& user) {
  return {{"id", user.user.id},
          {"username", user.user.username},
          {"display_name", user.user.display_name},
          {"deleted", user.deleted()}};
}

// POST /v1/signin {"username","password","device"?}: a sign-in token for the
// MQTT CONNECT (and Bearer for media), valid signin_token_ttl_s. Password
// attempts share the media API's throttles.
void sign_in(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  JsonBody body = JsonBody::parse(request.body);
  const std::string username = body.required_string("username");
  const std::string password = body.required_string("password");
  const auto device = body.string("device");
  if (device) validate_device(*device);
  body.finish();

  const UserId uid = verify_user_password(context, request, username, password);
  auto store = context.pool.acquire();
  const auto user = store->users().find(uid);
  if (!user || user->deleted()) throw ApiError(ErrorCode::unauthorized, "wrong username or password");
  const std::int64_t issued = unix_seconds_now();
  const std::int64_t expires = issued + context.config.signin_token_ttl_s;
  nlohmann::json answer{
      {"token", credentials::mint_token(context.secrets.token_secret, uid, user->user.username, issued, expires)},
      {"uid", uid},
      {"username", user->user.username},
      {"display_name", user->user.display_name},
      {"issued_at", issued * 1000},
      {"expires_at", expires * 1000}};
  if (device) {
    answer["device"] = *device;
    answer["client_id"] = std::to_string(uid) + ":" + *device;
  }
  response.set_header("Cache-Control", "no-store");
  send_json(response, 200, answer);
}

void get_profile(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  authenticate_user(context, request);
  const UserId id = parse_path_id(path_param(request, 1), "user");
  auto store = context.pool.acquire();
  const auto user = store->users().find(id);
  if (!user) throw not_found("user " + std::to_string(id) + " does not exist");
  send_json(response, 200, public_profile(*user));
}

void get_profile_by_username(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  authenticate_user(context, request);
  const std::string name = protocol::fold_username(path_param(request, 1));
  auto store = context.pool.acquire();
  const auto user = protocol::is_valid_username(name) ? store->users().find_by_username(name) : std::nullopt;
  if (!user || user->deleted()) throw not_found("user \"" + name + "\" does not exist");
  send_json(response, 200, public_profile(*user));
}

}  // namespace

void register_user_routes(Routes& routes, Context& context) {
  Context* c = &context;
  routes.post("/v1/signin", "/v1/signin", Access::user,
              [c](const Request& request, Response& response) { sign_in(*c, request, response); });
  routes.get("/v1/users/by-username/{username}", R"(/v1/users/by-username/([^/]+))", Access::user,
             [c](const Request& request, Response& response) { get_profile_by_username(*c, request, response); });
  routes.get("/v1/users/{id}", R"(/v1/users/([^/]+))", Access::user,
             [c](const Request& request, Response& response) { get_profile(*c, request, response); });
}

}  // namespace chat::admin
