// The user-facing routes of chat-admin against a real PostgreSQL: POST
// /v1/signin (a password for a sign-in token, throttled with the media API's
// password allowances, admin_signin_throttle_test.cpp) and the public
// profiles under /v1/users.
#include "admin_test_env.hpp"

#include "chat/credentials/token.hpp"

#include <ctime>

namespace chat::admin::testing {
namespace {

std::int64_t id_of(const json& record) { return record["id"].get<std::int64_t>(); }

class AdminSigninTest : public AdminTest {
 protected:
  static void SetUpTestSuite() { start_suite({"--signin-token-ttl-s", "3600"}); }

  static Reply sign_in(const json& body) { return call("POST", "/v1/signin", body, std::nullopt); }
  static Reply as_user(const std::string& path, const std::string& token) {
    return call("GET", path, std::nullopt, "Bearer " + token);
  }
};

TEST_F(AdminSigninTest, TheRightPasswordGetsATokenTheBrokerAccepts) {
  const json user = create_user(unique("signin"), {{"password", "right password"}, {"display_name", "Sig N."}});
  const std::string username = user["username"];

  // The name is folded as the broker folds it.
  std::string shouted = username;
  for (char& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const Reply reply = sign_in({{"username", shouted}, {"password", "right password"}, {"device", "web-1"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("Cache-Control"), "no-store");
  EXPECT_EQ(reply.data["uid"], id_of(user));
  EXPECT_EQ(reply.data["username"], username);
  EXPECT_EQ(reply.data["display_name"], "Sig N.");
  EXPECT_EQ(reply.data["client_id"], std::to_string(id_of(user)) + ":web-1");
  const std::int64_t issued_ms = reply.data["issued_at"];
  const std::int64_t expires_ms = reply.data["expires_at"];
  EXPECT_EQ(expires_ms - issued_ms, 3600 * 1000);

  // The plugin's own check (chat::credentials, the broker's format): uid, name, lifetime.
  const auto check =
      credentials::verify_token(reply.data["token"].get<std::string>(), kTokenSecret, std::time(nullptr));
  ASSERT_TRUE(check.ok()) << credentials::to_string(check.error);
  EXPECT_EQ(check.claims->uid, id_of(user));
  EXPECT_EQ(check.claims->username, username);
  EXPECT_EQ(check.claims->expires_at - check.claims->issued_at, 3600);

  // And it signs the user in to the other user routes.
  const Reply profile = as_user("/v1/users/" + std::to_string(id_of(user)), reply.data["token"]);
  EXPECT_EQ(profile.status, 200) << profile.body;
}

TEST_F(AdminSigninTest, WrongCredentialsAndBadBodiesAreRefusedClearly) {
  const json user = create_user(unique("refused"), {{"password", "right password"}});
  const std::string username = user["username"];

  const Reply wrong = sign_in({{"username", username}, {"password", "wrong password"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.error_code(), "unauthorized");
  const Reply unknown = sign_in({{"username", unique("nobody")}, {"password", "right password"}});
  EXPECT_EQ(unknown.status, 401);
  // The same words for both: the answer does not say which names exist.
  EXPECT_EQ(wrong.data["error"]["message"], unknown.data["error"]["message"]);

  const Reply missing = sign_in({{"username", username}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.error_field(), "password");
  const Reply typo = sign_in({{"username", username}, {"password", "right password"}, {"devise", "x"}});
  EXPECT_EQ(typo.status, 400);
  EXPECT_EQ(typo.error_field(), "devise");
  const Reply bad_device = sign_in({{"username", username}, {"password", "right password"}, {"device", "a/b"}});
  EXPECT_EQ(bad_device.status, 400);
  EXPECT_EQ(bad_device.error_field(), "device");
  const Reply not_json = raw("POST", "/v1/signin", "username=x", {}, "application/x-www-form-urlencoded");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(not_json.error_field(), "body");

  // A user without a password signs in with tokens only.
  const json tokens_only = create_user(unique("nopass"));
  EXPECT_EQ(sign_in({{"username", tokens_only["username"]}, {"password", "anything at all"}}).status, 401);

  // A disabled account: the right password, and still no token.
  ASSERT_EQ(post("/v1/admin/users/" + std::to_string(id_of(user)) + "/disable", json::object()).status, 200);
  const Reply disabled = sign_in({{"username", username}, {"password", "right password"}});
  EXPECT_EQ(disabled.status, 403);
  EXPECT_EQ(disabled.error_code(), "forbidden");
}

TEST_F(AdminSigninTest, ProfilesShowNameAndDisplayNameToSignedInUsersOnly) {
  const json alice = create_user(unique("alice"), {{"display_name", "Alice A."}, {"phone", "+4915112345678"}});
  const json bob = create_user(unique("bob"));
  const std::string bob_token = token_for(id_of(bob));

  const Reply by_id = as_user("/v1/users/" + std::to_string(id_of(alice)), bob_token);
  ASSERT_EQ(by_id.status, 200) << by_id.body;
  EXPECT_EQ(
      by_id.data,
      json({{"id", id_of(alice)}, {"username", alice["username"]}, {"display_name", "Alice A."}, {"deleted", false}}));
  const Reply by_name = as_user("/v1/users/by-username/" + alice["username"].get<std::string>(), bob_token);
  ASSERT_EQ(by_name.status, 200) << by_name.body;
  EXPECT_EQ(by_name.data["id"], id_of(alice));
  EXPECT_FALSE(by_name.data.contains("phone"));

  EXPECT_EQ(as_user("/v1/users/by-username/" + unique("nobody"), bob_token).status, 404);
  EXPECT_EQ(as_user("/v1/users/999999999", bob_token).status, 404);
  EXPECT_EQ(call("GET", "/v1/users/" + std::to_string(id_of(alice)), std::nullopt, std::nullopt).status, 401);
  EXPECT_EQ(as_user("/v1/users/" + std::to_string(id_of(alice)), "not-a-token").status, 401);
}

// Here and not in admin_web_app_test.cpp: this suite's server is one started
// without --web-dir.
TEST_F(AdminSigninTest, WithoutAWebDirThereIsNoApp) {
  EXPECT_EQ(call("GET", "/app/", std::nullopt, std::nullopt).status, 404);
}

}  // namespace
}  // namespace chat::admin::testing
