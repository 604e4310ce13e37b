// JSON errors and their mapping from the data layer's DbError (api_error.hpp),
// and the constant-time token comparison (digest.hpp).
#include "chat/admin/api_error.hpp"
#include "chat/admin/auth_header.hpp"
#include "chat/admin/digest.hpp"
#include "chat/storage/constraints.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace chat::admin {
namespace {

using storage::DbErrc;
using storage::DbError;

TEST(AdminErrors, RenderAsJsonWithCodeMessageAndField) {
  const auto json = nlohmann::json::parse(bad_request("phone", "must be E.164").to_json());
  EXPECT_EQ(json["error"]["code"], "bad_request");
  EXPECT_EQ(json["error"]["message"], "phone: must be E.164");
  EXPECT_EQ(json["error"]["field"], "phone");
  const auto plain = nlohmann::json::parse(not_found("no such user").to_json());
  EXPECT_FALSE(plain["error"].contains("field"));
  // Bad UTF-8 in a message never breaks the JSON.
  nlohmann::json with_bad_utf8;
  EXPECT_NO_THROW(with_bad_utf8 = nlohmann::json::parse(bad_request("x", "\xff\xfe").to_json()));
  EXPECT_TRUE(with_bad_utf8.is_object());
  EXPECT_EQ(http_status(ErrorCode::too_large), 413);
  EXPECT_EQ(http_status(ErrorCode::unavailable), 503);
  EXPECT_EQ(http_status(ErrorCode::range_not_satisfiable), 416);
}

TEST(AdminErrors, DatabaseErrorsMapToStatusesAndFields) {
  namespace c = storage::constraint;
  const auto map = [](DbErrc code, std::string_view constraint = {}) {
    return from_db_error(DbError(code, "server text with SQL", "", std::string(constraint)));
  };
  EXPECT_EQ(map(DbErrc::unique_violation, c::username_taken).status(), 409);
  EXPECT_EQ(map(DbErrc::unique_violation, c::username_taken).field(), "username");
  EXPECT_EQ(map(DbErrc::unique_violation, c::phone_taken).field(), "phone");
  EXPECT_EQ(map(DbErrc::unique_violation, "other_key").status(), 409);
  EXPECT_EQ(map(DbErrc::check_violation, c::phone_format).status(), 400);
  EXPECT_EQ(map(DbErrc::check_violation, c::phone_format).field(), "phone");
  EXPECT_EQ(map(DbErrc::check_violation, c::display_name_length).field(), "display_name");
  EXPECT_EQ(map(DbErrc::check_violation, c::chat_title_length).field(), "title");
  EXPECT_EQ(map(DbErrc::foreign_key_violation, "chat_members_user_id_fkey").status(), 404);
  EXPECT_EQ(map(DbErrc::foreign_key_violation, "chat_members_user_id_fkey").field(), "user");
  EXPECT_EQ(map(DbErrc::invalid_input).status(), 400);
  EXPECT_EQ(map(DbErrc::connection_lost).status(), 503);
  EXPECT_EQ(map(DbErrc::commit_in_doubt).status(), 503);
  const ApiError internal = map(DbErrc::internal);
  EXPECT_EQ(internal.status(), 500);
  EXPECT_EQ(std::string(internal.what()).find("SQL"), std::string::npos);  // the server's text stays inside
}

TEST(AdminErrors, TokensCompareEqualOnlyWhenEqual) {
  EXPECT_TRUE(secure_equals("admin-token-0123456789", "admin-token-0123456789"));
  EXPECT_FALSE(secure_equals("admin-token-0123456789", "admin-token-0123456788"));
  EXPECT_FALSE(secure_equals("admin-token-0123456789", "admin-token-012345678"));
  EXPECT_FALSE(secure_equals("", "x"));
  EXPECT_TRUE(secure_equals("", ""));
  EXPECT_EQ(to_hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AdminErrors, AuthorizationHeaders) {
  EXPECT_EQ(bearer_token("Bearer abc.def"), "abc.def");
  EXPECT_EQ(bearer_token("bearer   abc"), "abc");
  EXPECT_FALSE(bearer_token("Bearer").has_value());
  EXPECT_FALSE(bearer_token("Bearer ").has_value());
  EXPECT_FALSE(bearer_token("Bearer a b").has_value());
  EXPECT_FALSE(bearer_token("Basic abc").has_value());
  EXPECT_FALSE(bearer_token("Bearerabc").has_value());
  const auto basic = basic_credentials("Basic YWxpY2U6c2VjcmV0OndpdGg6Y29sb25z");  // alice:secret:with:colons
  ASSERT_TRUE(basic.has_value());
  EXPECT_EQ(basic->username, "alice");
  EXPECT_EQ(basic->password, "secret:with:colons");
  EXPECT_FALSE(basic_credentials("Basic bm9jb2xvbg==").has_value());  // "nocolon"
  EXPECT_FALSE(basic_credentials("Basic OnBhc3N3b3Jk").has_value());  // ":password": no username
  EXPECT_FALSE(basic_credentials("Basic !!!!").has_value());
  EXPECT_FALSE(basic_credentials("Bearer YWxpY2U6eA==").has_value());
  EXPECT_EQ(basic_credentials("basic YWxpY2U6eA==")->password, "x");
}

}  // namespace
}  // namespace chat::admin
