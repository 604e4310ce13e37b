#include "chat/storage/array_literal.hpp"
#include "chat/storage/binary_array.hpp"
#include "chat/storage/errors.hpp"
#include "chat/storage/param.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::storage {
namespace {

std::string text_literal(std::initializer_list<std::optional<std::string_view>> values) {
  const std::vector<std::optional<std::string_view>> items(values);
  return text_array_literal(items);
}

TEST(Int64ArrayLiteral, WritesDecimalsIncludingExtremes) {
  const std::vector<std::int64_t> values{1, -2, 0, std::numeric_limits<std::int64_t>::max(),
                                         std::numeric_limits<std::int64_t>::min()};
  EXPECT_EQ(int64_array_literal(values), "{1,-2,0,9223372036854775807,-9223372036854775808}");
  EXPECT_EQ(int64_array_literal({}), "{}");
}

TEST(TextArrayLiteral, QuotesEveryElement) {
  EXPECT_EQ(text_literal({"a", "b"}), R"({"a","b"})");
  EXPECT_EQ(text_literal({}), "{}");
}

TEST(TextArrayLiteral, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(text_literal({R"(say "hi")"}), R"({"say \"hi\""})");
  EXPECT_EQ(text_literal({R"(C:\path\)"}), R"({"C:\\path\\"})");
  EXPECT_EQ(text_literal({R"(\")"}), R"({"\\\""})");
}

TEST(TextArrayLiteral, KeepsSeparatorsAndBracesInsideQuotes) {
  EXPECT_EQ(text_literal({"a,b", "{c}", " padded "}), R"({"a,b","{c}"," padded "})");
}

TEST(TextArrayLiteral, TellsNullFromTheWordNullAndTheEmptyString) {
  EXPECT_EQ(text_literal({std::nullopt, "NULL", ""}), R"({NULL,"NULL",""})");
}

TEST(TextArrayLiteral, PassesUtf8Through) {
  EXPECT_EQ(text_literal({"привет", "👋", "日本"}), "{\"привет\",\"👋\",\"日本\"}");
}

TEST(TextArrayLiteral, SqlLookingTextIsJustText) {
  EXPECT_EQ(text_literal({"'; DROP TABLE users; --"}), R"({"'; DROP TABLE users; --"})");
}

TEST(TextArrayLiteral, AllOverloadsAgree) {
  const std::vector<std::string> strings{"x\"y", ""};
  const std::vector<std::string_view> views{"x\"y", ""};
  EXPECT_EQ(text_array_literal(strings), R"({"x\"y",""})");
  EXPECT_EQ(text_array_literal(views), R"({"x\"y",""})");
}

TEST(Param, ConvertsScalarsToText) {
  EXPECT_STREQ(Param(std::int64_t{-42}).c_str(), "-42");
  EXPECT_STREQ(Param(7).c_str(), "7");
  EXPECT_STREQ(Param(true).c_str(), "true");
  EXPECT_STREQ(Param(false).c_str(), "false");
  EXPECT_STREQ(Param("text").c_str(), "text");
  EXPECT_STREQ(Param(std::string("s")).c_str(), "s");
  EXPECT_STREQ(Param(std::string_view("")).c_str(), "");
}

TEST(Param, NulloptAndEmptyOptionalsAreNull) {
  EXPECT_TRUE(Param(std::nullopt).is_null());
  EXPECT_EQ(Param(std::nullopt).c_str(), nullptr);
  EXPECT_TRUE(Param(std::optional<std::string>{}).is_null());
  EXPECT_TRUE(Param(std::optional<std::int64_t>{}).is_null());
  EXPECT_STREQ(Param(std::optional<std::int64_t>{5}).c_str(), "5");
  EXPECT_FALSE(Param(std::optional<std::string>{""}).is_null());
}

TEST(Param, RefusesNulBytesInsteadOfTruncating) {
  const std::string with_nul("ab\0cd", 5);
  try {
    Param param(with_nul);
    FAIL() << "a NUL byte was accepted";
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::invalid_input);
  }
  const std::vector<std::string> items{"ok", with_nul};
  EXPECT_THROW(Param::text_array(items), DbError);
}

// Array parameters travel in the binary format now (binary_array.hpp).
TEST(Param, ArraysAreOneBinaryParameter) {
  const std::vector<std::int64_t> ids{3, 1};
  const Param int_param = Param::int64_array(ids);
  EXPECT_EQ(std::string(int_param.c_str(), static_cast<std::size_t>(int_param.length())), int8_binary_array(ids));
  const std::vector<std::string> texts{"a b", "c"};
  const Param text_param = Param::text_array(texts);
  EXPECT_EQ(std::string(text_param.c_str(), static_cast<std::size_t>(text_param.length())), text_binary_array(texts));
}

}  // namespace
}  // namespace chat::storage
