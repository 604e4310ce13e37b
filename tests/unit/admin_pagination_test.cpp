// Pages: limit parsing and opaque cursors (chat/admin/pagination.hpp).
#include "chat/admin/pagination.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace chat::admin {
namespace {

TEST(AdminPagination, Limits) {
  EXPECT_EQ(parse_limit(std::nullopt), 50);
  EXPECT_EQ(parse_limit("1"), 1);
  EXPECT_EQ(parse_limit("200"), 200);
  for (const char* bad : {"0", "201", "-5", "ten", "", "5x", "1e2"}) {
    try {
      parse_limit(std::string_view(bad));
      ADD_FAILURE() << bad;
    } catch (const ApiError& error) {
      EXPECT_EQ(error.field(), "limit");
      EXPECT_EQ(error.status(), 400);
    }
  }
}

TEST(AdminPagination, Base64UrlRoundTrips) {
  for (const std::string& text :
       std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\xfe", 3)}) {
    const std::string encoded = base64url_encode(text);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(base64url_decode(encoded), text);
  }
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("Zm9v!").has_value());
  EXPECT_FALSE(base64url_decode("Z").has_value());
  EXPECT_FALSE(base64url_decode("Zh").has_value());  // non-zero leftover bits
}

TEST(AdminPagination, CursorsBelongToTheirList) {
  const std::string cursor = encode_cursor("users", "42");
  EXPECT_EQ(decode_cursor(cursor, "users"), "42");
  EXPECT_EQ(decode_integer_cursor(cursor, "users"), 42);
  EXPECT_EQ(decode_cursor(encode_cursor("users-by-username", "al.ice"), "users-by-username"), "al.ice");
  const auto refused = [](const std::string& text, const std::string& list) {
    try {
      decode_integer_cursor(text, list);
      return false;
    } catch (const ApiError& error) {
      return error.field() == "cursor";
    }
  };
  EXPECT_TRUE(refused(cursor, "chats"));
  EXPECT_TRUE(refused(encode_cursor("user", "1"), "users"));
  EXPECT_TRUE(refused(encode_cursor("users", "x"), "users"));
  EXPECT_TRUE(refused(encode_cursor("users", "-1"), "users"));
  EXPECT_TRUE(refused("not a cursor", "users"));
  EXPECT_TRUE(refused(std::string(600, 'A'), "users"));
}

}  // namespace
}  // namespace chat::admin
