// The admin API's field rules (chat/admin/validation.hpp) and its strict JSON
// bodies (request_json.hpp).
#include "chat/admin/request_json.hpp"
#include "chat/admin/validation.hpp"

#include <gtest/gtest.h>

namespace chat::admin {
namespace {

// The field an ApiError{bad_request} names, or "" when `fn` did not throw one.
template <class F>
std::string bad_field(F&& fn) {
  try {
    fn();
  } catch (const ApiError& error) {
    EXPECT_EQ(error.code(), ErrorCode::bad_request);
    return error.field();
  }
  return {};
}

TEST(AdminValidation, UsernamesAreFoldedAndChecked) {
  EXPECT_EQ(normalize_username("Alice"), "alice");
  EXPECT_EQ(normalize_username("a.b_9"), "a.b_9");
  EXPECT_EQ(normalize_username(std::string(32, 'z')), std::string(32, 'z'));
  for (const char* bad : {"ab", "", "bad-name", "with space", "émile", "ALICE!", "deleted.7", "Deleted.x"}) {
    EXPECT_EQ(bad_field([&] { normalize_username(bad); }), "username") << bad;
  }
  EXPECT_EQ(bad_field([] { normalize_username(std::string(33, 'a')); }), "username");
  EXPECT_EQ(bad_field([] { normalize_username("x", "members"); }), "members");
}

TEST(AdminValidation, PhonesAreE164) {
  for (const char* good : {"+4915112345678", "+1234567", "+123456789012345"}) {
    EXPECT_EQ(bad_field([&] { validate_phone(good); }), "") << good;
  }
  for (const char* bad :
       {"4915112345678", "+0151123456", "+123456", "+1234567890123456", "+49 151", "+49-151-123", "", "+"}) {
    EXPECT_EQ(bad_field([&] { validate_phone(bad); }), "phone") << bad;
  }
}

TEST(AdminValidation, TextLengthsCountCharactersAndRefuseControls) {
  std::string emoji;
  for (int i = 0; i < 128; ++i) emoji += "\xF0\x9F\x98\x80";
  EXPECT_EQ(bad_field([&] { validate_display_name(emoji); }), "");
  EXPECT_EQ(bad_field([&] { validate_display_name(emoji + "x"); }), "display_name");
  EXPECT_EQ(bad_field([] { validate_display_name(""); }), "");
  EXPECT_EQ(bad_field([] { validate_display_name("tab\there"); }), "display_name");
  EXPECT_EQ(bad_field([] { validate_display_name("\xC2\x85"); }), "display_name");  // NEL, a C1 control
  EXPECT_EQ(bad_field([] { validate_display_name("\xFF"); }), "display_name");
  EXPECT_EQ(bad_field([] { validate_title(""); }), "title");
  EXPECT_EQ(bad_field([] { validate_title(std::string(128, 't')); }), "");
  EXPECT_EQ(bad_field([] { validate_title(std::string(129, 't')); }), "title");
}

TEST(AdminValidation, Utf8IsCheckedStrictly) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_EQ(utf8_length("\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80"), 3u);
}

TEST(AdminValidation, Passwords) {
  EXPECT_EQ(bad_field([] { validate_password("eight ch"); }), "");
  EXPECT_EQ(bad_field([] { validate_password("seven c"); }), "password");
  EXPECT_EQ(bad_field([] { validate_password(std::string(1025, 'p')); }), "password");
  EXPECT_EQ(bad_field([] { validate_password(std::string("with\0nul", 8)); }), "password");
  EXPECT_EQ(bad_field([] { validate_password("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"); }), "password");
}

TEST(AdminValidation, DevicesPrefixesAndIds) {
  EXPECT_EQ(bad_field([] { validate_device("phone-1_A"); }), "");
  EXPECT_EQ(bad_field([] { validate_device(""); }), "device");
  EXPECT_EQ(bad_field([] { validate_device("a:b"); }), "device");
  EXPECT_EQ(normalize_username_prefix("Al"), "al");
  EXPECT_EQ(bad_field([] { normalize_username_prefix("a%"); }), "username_prefix");
  EXPECT_EQ(bad_field([] { normalize_username_prefix(""); }), "username_prefix");
  EXPECT_EQ(bad_field([] { normalize_username_prefix(std::string(32, 'a')); }), "");
  EXPECT_EQ(bad_field([] { normalize_username_prefix(std::string(33, 'a')); }), "username_prefix");
  EXPECT_EQ(bad_field([] { validate_phone_prefix("+49"); }), "");
  EXPECT_EQ(bad_field([] { validate_phone_prefix("+"); }), "");
  EXPECT_EQ(bad_field([] { validate_phone_prefix("49"); }), "phone_prefix");
  EXPECT_EQ(bad_field([] { validate_phone_prefix("+4_"); }), "phone_prefix");

  EXPECT_EQ(parse_id("42", "user"), 42);
  EXPECT_EQ(parse_id("9223372036854775807", "user"), INT64_MAX);
  for (const char* bad :
       {"0", "-1", "+1", "1.0", "", " 1", "007", "9223372036854775808", "99999999999999999999", "0x1"}) {
    EXPECT_EQ(bad_field([&] { parse_id(bad, "user"); }), "user") << bad;
  }
  try {
    parse_path_id("abc", "chat");
    FAIL();
  } catch (const ApiError& error) {
    EXPECT_EQ(error.code(), ErrorCode::not_found);
  }
  EXPECT_EQ(parse_integer("7", "days", 1, 90), 7);
  EXPECT_EQ(bad_field([] { parse_integer("91", "days", 1, 90); }), "days");
  EXPECT_TRUE(parse_bool("true", "x"));
  EXPECT_FALSE(parse_bool("0", "x"));
  EXPECT_EQ(bad_field([] { parse_bool("yes", "x"); }), "x");
}

TEST(AdminValidation, JsonBodyFieldsAreTakenWithTheirTypes) {
  JsonBody body = JsonBody::parse(R"({"name":"x","phone":null,"n":5,"flag":true,"ids":[1,2]})");
  EXPECT_EQ(body.required_string("name"), "x");
  const auto phone = body.nullable_string("phone");
  ASSERT_TRUE(phone.has_value());
  EXPECT_FALSE(phone->has_value());
  EXPECT_EQ(body.integer("n", 1, 10), 5);
  EXPECT_EQ(body.boolean("flag"), true);
  EXPECT_EQ(body.ids("ids", 10), (std::vector<std::int64_t>{1, 2}));
  EXPECT_FALSE(body.string("absent").has_value());
  body.finish();

  EXPECT_EQ(bad_field([] { JsonBody::parse(R"({"n":11})").integer("n", 1, 10); }), "n");
  EXPECT_EQ(bad_field([] { JsonBody::parse(R"({"n":1.5})").integer("n", 1, 10); }), "n");
  EXPECT_EQ(bad_field([] { JsonBody::parse(R"({"n":18446744073709551615})").integer("n", 1, 10); }), "n");
  EXPECT_EQ(bad_field([] { JsonBody::parse(R"({"s":1})").string("s"); }), "s");
  EXPECT_EQ(bad_field([] { JsonBody::parse(R"({})").required_string("s"); }), "s");
  EXPECT_EQ(bad_field([] { JsonBody::parse(R"({"ids":[1,-2]})").ids("ids", 10); }), "ids");
  EXPECT_EQ(bad_field([] { JsonBody::parse(R"({"ids":[1,2,3]})").ids("ids", 2); }), "ids");
  EXPECT_EQ(bad_field([] { JsonBody::parse(R"({"known":1,"unknown":2})").finish(); }), "known");
  EXPECT_EQ(bad_field([] {
              JsonBody partial = JsonBody::parse(R"({"known":1,"unknown":2})");
              partial.integer("known", 0, 5);
              partial.finish();
            }),
            "unknown");
  for (const char* text : {"[]", "1", "\"s\"", "{", "null"}) {
    EXPECT_EQ(bad_field([&] { JsonBody::parse(text); }), "body") << text;
  }
  JsonBody::parse("").finish();  // an empty body is {}
  JsonBody::parse("  \n").finish();
}

}  // namespace
}  // namespace chat::admin
