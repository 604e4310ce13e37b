// chat-admin honours token revocation (issue #13) on every route a user signs
// in to with a token, as the broker's plugin does: a token issued before its
// user's tokens_not_before (a password change, disabling, "sign out
// everywhere") is refused with 401; one issued at or after it works.
#include "admin_test_env.hpp"

#include "chat/credentials/token.hpp"

#include <ctime>
#include <functional>
#include <random>

namespace chat::admin::testing {
namespace {

std::int64_t id_of(const json& record) { return record["id"].get<std::int64_t>(); }

// A PNG's signature and bytes that differ per call, so that no upload is a
// duplicate of an earlier one.
std::string fresh_png() {
  static std::mt19937 random(4242);
  std::string bytes("\x89PNG\r\n\x1A\n", 8);
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(random() & 0xFF));
  return bytes;
}

class AdminTokenRevocationTest : public AdminTest {
 protected:
  static void SetUpTestSuite() { start_suite({"--signin-token-ttl-s", "3600"}); }

  // A token for `user` issued `age_s` seconds ago, signed as the platform signs them.
  static std::string token_issued_ago(const json& user, std::int64_t age_s) {
    const std::int64_t now = std::time(nullptr);
    return credentials::mint_token(kTokenSecret, id_of(user), user["username"].get<std::string>(), now - age_s,
                                   now + 3600);
  }

  struct UserRoute {
    std::string name;
    std::function<Reply(const std::string& bearer)> call;
  };

  // Every route of chat-admin that takes a user's sign-in token (Access::user,
  // except /v1/signin, which takes a password), each asked something it can
  // answer: `peer` is another user, `media` an upload `user` may read.
  static std::vector<UserRoute> user_routes(const json& peer, const std::string& media) {
    const std::string peer_id = std::to_string(id_of(peer));
    const std::string peer_name = peer["username"];
    return {
        {"GET /v1/users/{id}",
         [=](const std::string& bearer) { return call("GET", "/v1/users/" + peer_id, std::nullopt, bearer); }},
        {"GET /v1/users/by-username/{username}",
         [=](const std::string& bearer) {
           return call("GET", "/v1/users/by-username/" + peer_name, std::nullopt, bearer);
         }},
        {"GET /v1/media/{id}",
         [=](const std::string& bearer) {
           return raw("GET", "/v1/media/" + media, "", {{"Authorization", bearer}});
         }},
        {"PUT /v1/media",
         [](const std::string& bearer) {
           return raw("PUT", "/v1/media", fresh_png(), {{"Authorization", bearer}}, "application/octet-stream");
         }},
    };
  }

  static std::string upload_as(const std::string& bearer) {
    const Reply uploaded = raw("PUT", "/v1/media", fresh_png(), {{"Authorization", bearer}}, "image/png");
    if (uploaded.status != 201) throw std::runtime_error("upload: " + uploaded.body);
    return uploaded.data["id"].get<std::string>();
  }

  static void expect_accepted(const std::vector<UserRoute>& routes, const std::string& bearer, const char* when) {
    for (const UserRoute& route : routes) {
      const Reply reply = route.call(bearer);
      EXPECT_TRUE(reply.status == 200 || reply.status == 201)
          << route.name << " " << when << ": " << reply.status << " " << reply.body;
    }
  }

  static void expect_revoked(const std::vector<UserRoute>& routes, const std::string& bearer) {
    for (const UserRoute& route : routes) {
      const Reply reply = route.call(bearer);
      EXPECT_EQ(reply.status, 401) << route.name << ": " << reply.body;
      EXPECT_EQ(reply.error_code(), "unauthorized") << route.name;
      EXPECT_NE(reply.body.find("revoked"), std::string::npos) << route.name << ": " << reply.body;
    }
  }
};

TEST_F(AdminTokenRevocationTest, SignOutEverywhereVoidsEarlierTokensOnEveryUserRoute) {
  const json user = create_user(unique("revoked"));
  const json peer = create_user(unique("peer"));
  const std::string old_bearer = "Bearer " + token_issued_ago(user, 60);
  const auto routes = user_routes(peer, upload_as(old_bearer));
  expect_accepted(routes, old_bearer, "before the revocation");

  psql("UPDATE users SET tokens_not_before = now() WHERE id = " + std::to_string(id_of(user)));
  expect_revoked(routes, old_bearer);

  // Minted after the revocation (the same second counts as after, as in the broker).
  const std::string new_bearer = "Bearer " + token_issued_ago(user, 0);
  expect_accepted(routes, new_bearer, "with a token minted after the revocation");
}

TEST_F(AdminTokenRevocationTest, APasswordChangeVoidsEarlierTokensAndSigningInAgainWorks) {
  const json user = create_user(unique("changer"), {{"password", "first password"}});
  const json peer = create_user(unique("peer"));
  const std::string old_bearer = "Bearer " + token_issued_ago(user, 60);
  const auto routes = user_routes(peer, upload_as(old_bearer));
  expect_accepted(routes, old_bearer, "before the password change");

  const Reply changed = call("PUT", "/v1/admin/users/" + std::to_string(id_of(user)) + "/password",
                             json{{"password", "second password"}});
  ASSERT_EQ(changed.status, 204) << changed.body;
  expect_revoked(routes, old_bearer);

  const Reply signed_in =
      call("POST", "/v1/signin", json{{"username", user["username"]}, {"password", "second password"}}, std::nullopt);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  expect_accepted(routes, "Bearer " + signed_in.data["token"].get<std::string>(), "after signing in again");
}

}  // namespace
}  // namespace chat::admin::testing
