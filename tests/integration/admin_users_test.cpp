// chat-admin's users API against a real PostgreSQL: create, read, search,
// update, disable, passwords, tokens, deletion; field validation; pagination.
#include "admin_test_env.hpp"

#include "chat/credentials/password.hpp"
#include "chat/credentials/token.hpp"

#include <set>

namespace chat::admin::testing {
namespace {

std::int64_t id_of(const json& record) { return record["id"].get<std::int64_t>(); }

std::string users(std::int64_t id, const std::string& rest = {}) {
  return "/v1/admin/users/" + std::to_string(id) + rest;
}

class AdminUsersTest : public AdminTest {
 protected:
  static void SetUpTestSuite() { start_suite(); }
};

TEST_F(AdminUsersTest, CreateFoldsTheUsernameAndReadsBack) {
  const std::string name = unique("Alice_");
  const Reply created = post(
      "/v1/admin/users",
      {{"username", name}, {"phone", "+4915112340001"}, {"display_name", "Alice Ä 😀"}, {"password", "correct horse"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const json& user = created.data;
  std::string folded = name;
  for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(user["username"], folded);
  EXPECT_EQ(user["phone"], "+4915112340001");
  EXPECT_EQ(user["display_name"], "Alice Ä 😀");
  EXPECT_EQ(user["has_password"], true);
  EXPECT_EQ(user["disabled"], false);
  EXPECT_EQ(user["deleted"], false);
  EXPECT_FALSE(user.contains("password"));
  EXPECT_FALSE(user.contains("password_hash"));
  EXPECT_EQ(created.header("Location"), users(id_of(user)));

  EXPECT_EQ(get(users(id_of(user))).data, user);
  EXPECT_EQ(get("/v1/admin/users/by-username/" + name).data, user);  // folded on the way in
  EXPECT_EQ(get("/v1/admin/users/by-username/nobody_here").status, 404);
  EXPECT_EQ(get("/v1/admin/users/999999999").status, 404);
  EXPECT_EQ(get("/v1/admin/users/abc").status, 404);
  EXPECT_EQ(get("/v1/admin/users/99999999999999999999999").status, 404);

  // The password is stored as the platform's PBKDF2 hash, never as given.
  const std::string hash = psql("SELECT password_hash FROM users WHERE id = " + std::to_string(id_of(user)));
  EXPECT_EQ(hash.rfind("$pbkdf2-sha512$", 0), 0u) << hash;
  EXPECT_TRUE(credentials::verify_password("correct horse", hash));
}

TEST_F(AdminUsersTest, EveryFieldIsValidatedAndNamed) {
  const auto expect_bad = [](const json& body, const std::string& field) {
    const Reply reply = post("/v1/admin/users", body);
    EXPECT_EQ(reply.status, 400) << body.dump() << " -> " << reply.body;
    EXPECT_EQ(reply.error_code(), "bad_request") << reply.body;
    EXPECT_EQ(reply.error_field(), field) << body.dump() << " -> " << reply.body;
  };
  expect_bad(json::object(), "username");
  expect_bad({{"username", "ab"}}, "username");
  expect_bad({{"username", std::string(33, 'a')}}, "username");
  expect_bad({{"username", "bad-name"}}, "username");
  expect_bad({{"username", "bad name"}}, "username");
  expect_bad({{"username", "émile"}}, "username");
  expect_bad({{"username", "deleted.5"}}, "username");
  expect_bad({{"username", 42}}, "username");
  expect_bad({{"username", unique("valid")}, {"phone", "015112345678"}}, "phone");
  expect_bad({{"username", unique("valid")}, {"phone", "+015112345678"}}, "phone");
  expect_bad({{"username", unique("valid")}, {"phone", "+12345"}}, "phone");
  expect_bad({{"username", unique("valid")}, {"phone", "+1234567890123456"}}, "phone");
  expect_bad({{"username", unique("valid")}, {"phone", "+49 151 1234567"}}, "phone");
  expect_bad({{"username", unique("valid")}, {"display_name", std::string(129, 'x')}}, "display_name");
  expect_bad({{"username", unique("valid")}, {"display_name", "line\nbreak"}}, "display_name");
  expect_bad({{"username", unique("valid")}, {"password", "short"}}, "password");
  expect_bad({{"username", unique("valid")}, {"password", std::string(1025, 'p')}}, "password");
  expect_bad({{"username", unique("valid")}, {"password", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}},
             "password");
  expect_bad({{"username", unique("valid")}, {"dispaly_name", "typo"}}, "dispaly_name");
  expect_bad({{"username", unique("valid")}, {"disabled", true}}, "disabled");

  // 128 characters of 4-byte UTF-8 are fine: the limit counts characters.
  std::string emoji;
  for (int i = 0; i < 128; ++i) emoji += "😀";
  EXPECT_EQ(post("/v1/admin/users", {{"username", unique("valid")}, {"display_name", emoji}}).status, 201);

  const httplib::Headers admin{{"Authorization", "Bearer " + kAdminToken}};
  for (const std::string& body : {std::string("not json"), std::string("[1,2]"), std::string("\"text\""),
                                  std::string("{\"username\":\"\xff\xfe\"}")}) {
    const Reply reply = raw("POST", "/v1/admin/users", body, admin);
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_EQ(reply.error_field(), "body") << reply.body;
  }
  // Query parameters are checked too.
  EXPECT_EQ(get("/v1/admin/users?limit=0").error_field(), "limit");
  EXPECT_EQ(get("/v1/admin/users?limit=201").error_field(), "limit");
  EXPECT_EQ(get("/v1/admin/users?limit=ten").error_field(), "limit");
  EXPECT_EQ(get("/v1/admin/users?limit=-1").error_field(), "limit");
  EXPECT_EQ(get("/v1/admin/users?cursor=@@@").error_field(), "cursor");
  EXPECT_EQ(get("/v1/admin/users?sort=name").error_field(), "sort");
  EXPECT_EQ(get("/v1/admin/users?username_prefix=a&phone_prefix=%2B1").status, 400);
  EXPECT_EQ(get("/v1/admin/users?username_prefix=a-b").error_field(), "username_prefix");
  EXPECT_EQ(get("/v1/admin/users?phone_prefix=49").error_field(), "phone_prefix");
}

TEST_F(AdminUsersTest, DuplicatesAreConflictsNamingTheField) {
  const std::string name = unique("dup");
  create_user(name, {{"phone", "+4915112340002"}});
  Reply again = post("/v1/admin/users", {{"username", name}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error_code(), "conflict");
  EXPECT_EQ(again.error_field(), "username");
  // Case-insensitively: the name is folded before the unique check.
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(post("/v1/admin/users", {{"username", upper}}).error_field(), "username");

  again = post("/v1/admin/users", {{"username", unique("dup")}, {"phone", "+4915112340002"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error_field(), "phone");

  const json other = create_user(unique("dup"));
  const Reply patched = call("PATCH", users(id_of(other)), json{{"phone", "+4915112340002"}});
  EXPECT_EQ(patched.status, 409);
  EXPECT_EQ(patched.error_field(), "phone");
}

TEST_F(AdminUsersTest, SqlLookingStringsAreStoredVerbatim) {
  const std::string evil = "Robert'); DROP TABLE users;-- \\ \" $1 %s {}";
  const json user = create_user(unique("bobby"), {{"display_name", evil}});
  EXPECT_EQ(user["display_name"], evil);
  EXPECT_EQ(get(users(id_of(user))).data["display_name"], evil);
  EXPECT_EQ(psql("SELECT display_name = " + std::string("$q$") + evil +
                 "$q$ FROM users WHERE id = " + std::to_string(id_of(user))),
            "t");
  const json chat = create_group(id_of(user), {}, "'; DELETE FROM chats; --");
  EXPECT_EQ(get("/v1/admin/chats/" + std::to_string(chat["id"].get<std::int64_t>())).data["title"],
            "'; DELETE FROM chats; --");
  // A LIKE wildcard in a search prefix matches itself only.
  create_user(unique("under_score"));
  const Reply search = get("/v1/admin/users?username_prefix=under_");
  ASSERT_EQ(search.status, 200);
  for (const json& found : search.data["items"]) {
    EXPECT_EQ(found["username"].get<std::string>().rfind("under_", 0), 0u);
  }
  EXPECT_EQ(get("/v1/admin/users?username_prefix=under%25").status, 400);  // '%' is no username character
}

TEST_F(AdminUsersTest, UpdateDisableAndEnable) {
  const json user = create_user(unique("upd"), {{"phone", "+4915112340003"}});
  const std::string path = users(id_of(user));
  Reply reply = call("PATCH", path, json{{"display_name", "New Name"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.data["display_name"], "New Name");
  EXPECT_EQ(reply.data["phone"], "+4915112340003");  // untouched

  reply = call("PATCH", path, json{{"phone", nullptr}});
  EXPECT_EQ(reply.data["phone"], nullptr);
  reply = call("PATCH", path, json{{"phone", "+4915112340004"}});
  EXPECT_EQ(reply.data["phone"], "+4915112340004");

  EXPECT_EQ(call("PATCH", path, json{{"username", "other"}}).error_field(), "username");
  EXPECT_EQ(call("PATCH", path, json{{"disabled", "yes"}}).error_field(), "disabled");
  EXPECT_EQ(call("PATCH", path, json{{"phone", 5}}).error_field(), "phone");
  EXPECT_EQ(call("PATCH", path, json{{"colour", "red"}}).error_field(), "colour");
  EXPECT_EQ(call("PATCH", "/v1/admin/users/987654321", json{{"display_name", "x"}}).status, 404);

  reply = post(path + "/disable", json::object());
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.data["disabled"], true);
  EXPECT_EQ(psql("SELECT disabled FROM users WHERE id = " + std::to_string(id_of(user))), "t");
  // The broker would refuse a token of a disabled user: none is minted.
  EXPECT_EQ(post(path + "/tokens", json::object()).status, 409);
  reply = post(path + "/enable", json::object());
  EXPECT_EQ(reply.data["disabled"], false);
  EXPECT_EQ(call("PATCH", path, json{{"disabled", true}}).data["disabled"], true);
  EXPECT_EQ(call("PATCH", path, json{{"disabled", false}}).data["disabled"], false);
}

TEST_F(AdminUsersTest, PasswordsAreSetAndRemoved) {
  const json user = create_user(unique("pw"));
  EXPECT_EQ(user["has_password"], false);
  const std::string path = users(id_of(user), "/password");
  Reply reply = call("PUT", path, json{{"password", "a new secret"}});
  EXPECT_EQ(reply.status, 204) << reply.body;
  EXPECT_EQ(get(users(id_of(user))).data["has_password"], true);
  EXPECT_TRUE(credentials::verify_password(
      "a new secret", psql("SELECT password_hash FROM users WHERE id = " + std::to_string(id_of(user)))));

  EXPECT_EQ(call("PUT", path, json{{"password", "short"}}).error_field(), "password");
  EXPECT_EQ(call("PUT", path, json::object()).error_field(), "password");
  EXPECT_EQ(call("PUT", path, json{{"password", "long enough"}, {"extra", 1}}).error_field(), "extra");
  EXPECT_EQ(call("PUT", "/v1/admin/users/987654321/password", json{{"password", "long enough"}}).status, 404);

  EXPECT_EQ(call("DELETE", path).status, 204);
  EXPECT_EQ(get(users(id_of(user))).data["has_password"], false);
}

TEST_F(AdminUsersTest, MintedTokensAreWhatTheBrokerAccepts) {
  const json user = create_user(unique("tok"));
  const auto before =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const Reply reply = post(users(id_of(user), "/tokens"), {{"device", "phone1"}, {"ttl_s", 3600}});
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.data["uid"], id_of(user));
  EXPECT_EQ(reply.data["username"], user["username"]);
  EXPECT_EQ(reply.data["client_id"], std::to_string(id_of(user)) + ":phone1");
  const std::int64_t expires_ms = reply.data["expires_at"].get<std::int64_t>();
  EXPECT_GE(expires_ms, (before + 3600) * 1000);
  EXPECT_LE(expires_ms, (before + 3600 + 5) * 1000);

  // The credentials library the broker plugin uses accepts it.
  const auto check = credentials::verify_token(reply.data["token"].get<std::string>(), kTokenSecret, before + 10);
  ASSERT_TRUE(check.ok()) << credentials::to_string(check.error);
  EXPECT_EQ(check.claims->uid, id_of(user));
  EXPECT_EQ(check.claims->username, user["username"]);
  EXPECT_EQ(check.claims->expires_at * 1000, expires_ms);
  EXPECT_EQ(credentials::verify_token(reply.data["token"].get<std::string>(), kTokenSecret, before + 3700).error,
            credentials::TokenError::expired);

  // Defaults: 30 days, no device.
  const Reply plain = post(users(id_of(user), "/tokens"), json::object());
  ASSERT_EQ(plain.status, 201);
  EXPECT_FALSE(plain.data.contains("client_id"));
  EXPECT_GE(plain.data["expires_at"].get<std::int64_t>(), (before + 30 * 86400) * 1000);

  EXPECT_EQ(post(users(id_of(user), "/tokens"), {{"ttl_s", 59}}).error_field(), "ttl_s");
  EXPECT_EQ(post(users(id_of(user), "/tokens"), {{"ttl_s", 400 * 86400}}).error_field(), "ttl_s");
  EXPECT_EQ(post(users(id_of(user), "/tokens"), {{"ttl_s", "60"}}).error_field(), "ttl_s");
  EXPECT_EQ(post(users(id_of(user), "/tokens"), {{"device", "bad device"}}).error_field(), "device");
  EXPECT_EQ(post(users(id_of(user), "/tokens"), {{"device", std::string(33, 'd')}}).error_field(), "device");
  EXPECT_EQ(post("/v1/admin/users/987654321/tokens", json::object()).status, 404);
}

TEST_F(AdminUsersTest, SearchByPrefixInPages) {
  const std::string prefix = unique("pg") + "_";
  std::set<std::int64_t> created;
  for (int i = 0; i < 7; ++i) {
    created.insert(id_of(create_user(prefix + std::to_string(i), {{"phone", "+3912" + std::to_string(100000 + i) +
                                                                                std::to_string(created.size())}})));
  }
  create_user(unique("other"));

  // By username prefix, 3 per page: 3 + 3 + 1, in username order, each once.
  std::vector<std::string> names;
  std::set<std::int64_t> seen;
  std::string path = "/v1/admin/users?limit=3&username_prefix=" + prefix;
  int pages = 0;
  for (;;) {
    const Reply page = get(path);
    ASSERT_EQ(page.status, 200) << page.body;
    ++pages;
    EXPECT_LE(page.data["items"].size(), 3u);
    for (const json& user : page.data["items"]) {
      names.push_back(user["username"]);
      EXPECT_TRUE(seen.insert(id_of(user)).second);
    }
    if (page.data["next"].is_null()) break;
    path = "/v1/admin/users?limit=3&username_prefix=" + prefix + "&cursor=" + page.data["next"].get<std::string>();
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, created);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));

  // By phone prefix.
  const Reply by_phone = get("/v1/admin/users?phone_prefix=%2B3912&limit=200");
  ASSERT_EQ(by_phone.status, 200) << by_phone.body;
  std::set<std::int64_t> phones;
  for (const json& user : by_phone.data["items"]) phones.insert(id_of(user));
  EXPECT_EQ(phones, created);

  // A cursor of another list is refused.
  const Reply first = get("/v1/admin/users?limit=1");
  ASSERT_FALSE(first.data["next"].is_null());
  EXPECT_EQ(get("/v1/admin/users?username_prefix=" + prefix + "&cursor=" + first.data["next"].get<std::string>())
                .error_field(),
            "cursor");
}

TEST_F(AdminUsersTest, ListWalksEveryUserOnceInIdOrder) {
  for (int i = 0; i < 5; ++i) create_user(unique("walk"));
  const std::string all = psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM users");
  std::string walked;
  std::string path = "/v1/admin/users?limit=2";
  for (int guard = 0; guard < 1000; ++guard) {
    const Reply page = get(path);
    ASSERT_EQ(page.status, 200);
    for (const json& user : page.data["items"]) walked += (walked.empty() ? "" : ",") + std::to_string(id_of(user));
    if (page.data["next"].is_null()) break;
    path = "/v1/admin/users?limit=2&cursor=" + page.data["next"].get<std::string>();
  }
  EXPECT_EQ(walked, all);
  // Default page size 50, at most 200.
  EXPECT_LE(get("/v1/admin/users").data["items"].size(), 50u);
}

TEST_F(AdminUsersTest, DeletingAnAccountAnonymisesItAndKeepsTheConversation) {
  const json doomed = create_user(unique("doomed"), {{"phone", "+4915112340009"}, {"password", "a password"}});
  const json first = create_user(unique("heir"));
  const json second = create_user(unique("second"));
  const std::int64_t uid = id_of(doomed);
  const json owned = create_group(uid, {id_of(first), id_of(second)}, "owned");
  const json lonely = create_group(uid, {}, "lonely");
  const json joined = create_group(id_of(first), {uid}, "joined");
  const std::int64_t owned_id = owned["id"].get<std::int64_t>();
  const auto seqs = send(owned_id, uid, {R"({"text":"one"})", R"({"text":"two"})"});
  send(owned_id, id_of(first), {R"({"text":"reply"})"});
  psql("INSERT INTO devices (user_id, device_id, online, push_token) VALUES (" + std::to_string(uid) +
       ", 'phone', true, 'push-token')");

  const Reply reply = call("DELETE", users(uid) + "?withhold_messages=true");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.data["groups_left"], 3);
  EXPECT_EQ(reply.data["groups_handed_over"], 1);
  EXPECT_EQ(reply.data["groups_closed"], 1);
  EXPECT_EQ(reply.data["messages_withheld"], 2);
  const json& gone = reply.data["user"];
  EXPECT_EQ(gone["deleted"], true);
  EXPECT_EQ(gone["disabled"], true);
  EXPECT_EQ(gone["username"], "deleted." + std::to_string(uid));
  EXPECT_EQ(gone["phone"], nullptr);
  EXPECT_EQ(gone["display_name"], "");
  EXPECT_EQ(gone["has_password"], false);

  // The first member owns the group now; the empty group is closed.
  const Reply owned_after = get("/v1/admin/chats/" + std::to_string(owned_id));
  EXPECT_EQ(owned_after.data["owner"], id_of(first));
  EXPECT_EQ(owned_after.data["member_count"], 2);
  EXPECT_EQ(psql("SELECT role FROM chat_members WHERE chat_id = " + std::to_string(owned_id) +
                 " AND user_id = " + std::to_string(id_of(first))),
            "owner");
  EXPECT_EQ(get("/v1/admin/chats/" + std::to_string(lonely["id"].get<std::int64_t>())).data["deleted"], true);
  EXPECT_EQ(get("/v1/admin/chats/" + std::to_string(joined["id"].get<std::int64_t>())).data["member_count"], 1);
  EXPECT_EQ(psql("SELECT count(*) FROM devices WHERE user_id = " + std::to_string(uid)), "0");

  // Its messages keep their places, from the deleted account, content withheld.
  const Reply history = get("/v1/admin/chats/" + std::to_string(owned_id) + "/messages");
  ASSERT_EQ(history.data["items"].size(), 3u);
  EXPECT_EQ(history.data["items"][0]["seq"], seqs[0]);
  EXPECT_EQ(history.data["items"][0]["from"], uid);
  EXPECT_EQ(history.data["items"][0]["deleted"], true);
  EXPECT_FALSE(history.data["items"][0].contains("text"));
  EXPECT_EQ(history.data["items"][2]["text"], "reply");

  // It cannot be changed or signed in for any more; its name and phone are free again.
  EXPECT_EQ(call("DELETE", users(uid)).status, 409);
  EXPECT_EQ(call("PATCH", users(uid), json{{"display_name", "back"}}).status, 409);
  EXPECT_EQ(call("PUT", users(uid, "/password"), json{{"password", "long enough"}}).status, 409);
  EXPECT_EQ(post(users(uid, "/tokens"), json::object()).status, 409);
  EXPECT_EQ(post("/v1/admin/chats/" + std::to_string(owned_id) + "/members", {{"user", uid}}).status, 409);
  EXPECT_EQ(post("/v1/admin/users", {{"username", doomed["username"]}, {"phone", "+4915112340009"}}).status, 201);
  EXPECT_EQ(call("DELETE", "/v1/admin/users/987654321").status, 404);
}

TEST_F(AdminUsersTest, AUsersChatsInPages) {
  const json user = create_user(unique("member"));
  std::set<std::int64_t> chats;
  for (int i = 0; i < 3; ++i) chats.insert(create_group(id_of(user), {})["id"].get<std::int64_t>());
  const json other = create_user(unique("other"));
  chats.insert(post("/v1/admin/chats", {{"kind", "direct"}, {"members", {id_of(user), id_of(other)}}})
                   .data["id"]
                   .get<std::int64_t>());
  std::set<std::int64_t> seen;
  std::string path = users(id_of(user), "/chats?limit=3");
  for (;;) {
    const Reply page = get(path);
    ASSERT_EQ(page.status, 200) << page.body;
    for (const json& chat : page.data["items"]) seen.insert(chat["id"].get<std::int64_t>());
    if (page.data["next"].is_null()) break;
    path = users(id_of(user), "/chats?limit=3&cursor=" + page.data["next"].get<std::string>());
  }
  EXPECT_EQ(seen, chats);
  EXPECT_EQ(get("/v1/admin/users/987654321/chats").status, 404);
}

}  // namespace
}  // namespace chat::admin::testing
